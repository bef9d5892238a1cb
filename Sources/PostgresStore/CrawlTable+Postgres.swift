import Foundation
import Pipeline

extension CrawlTable {
    /// `INSERT INTO table (columns) VALUES ($1, …)` with `row` bound by each column's kind.
    func insertQuery(_ row: [CrawlValue], suffix: String = "") -> PostgresQuery {
        let binds = zip(row, columns).map { value, column in PostgresBind(value, as: column.kind) }
        let marks = (1...columns.count).map { "$\($0)" }.joined(separator: ", ")
        return PostgresQuery(unsafeSQL: "INSERT INTO \(name) (\(columnList)) VALUES (\(marks))\(suffix)", binds: binds)
    }

    /// A row of `SELECT columnList`, decoded by each column's kind.
    func values(of row: PostgresRow) throws -> [CrawlValue] {
        try columns.indices.map { i in
            switch columns[i].kind {
            case .integer: return try row.decode(i, as: Int64?.self).map(CrawlValue.integer) ?? .null
            case .real: return try row.decode(i, as: Double?.self).map(CrawlValue.real) ?? .null
            case .text: return try row.decode(i, as: String?.self).map(CrawlValue.text) ?? .null
            case .blob: return try row.decode(i, as: Data?.self).map(CrawlValue.blob) ?? .null
            }
        }
    }
}

extension PostgresBind {
    /// Binds a value with the column's type even when it is NULL, so the server need not guess.
    init(_ value: CrawlValue, as kind: CrawlTable.Kind) {
        switch (value, kind) {
        case (.integer(let i), .integer): self = .int8(i)
        case (.integer(let i), .real): self = .float8(Double(i))
        case (.integer(let i), .text): self = .text(String(i))
        case (.real(let d), .real): self = .float8(d)
        case (.real(let d), .integer): self = .int8(Int64(exactly: d.rounded(.towardZero)))
        case (.real(let d), .text): self = .text(String(d))
        case (.text(let s), .text): self = .text(s)
        case (.text(let s), .integer): self = .int8(Int64(s))
        case (.text(let s), .real): self = .float8(Double(s))
        case (.null, .integer): self = .int8(nil)
        case (.null, .real): self = .float8(nil)
        case (.null, .text): self = .text(nil)
        case (.blob(let b), .blob): self = .bytea(b)
        case (.null, .blob): self = .bytea(nil)
        // A value of another kind never goes into a bytes column, nor bytes into another kind.
        case (.blob, _), (_, .blob): self = .bytea(nil)
        }
    }
}
