import Foundation
import Pipeline
import PostgresNIO

extension CrawlTable {
    /// `INSERT INTO table (columns) VALUES ($1, …)` with `row` bound by each column's kind.
    func insertQuery(_ row: [CrawlValue], suffix: String = "") -> PostgresQuery {
        var binds = PostgresBindings(capacity: columns.count)
        for (value, column) in zip(row, columns) { binds.append(value, as: column.kind) }
        let marks = (1...columns.count).map { "$\($0)" }.joined(separator: ", ")
        return PostgresQuery(unsafeSQL: "INSERT INTO \(name) (\(columnList)) VALUES (\(marks))\(suffix)", binds: binds)
    }

    /// A row of `SELECT columnList`, decoded by each column's kind.
    func values(of row: PostgresRow) throws -> [CrawlValue] {
        let cells = row.makeRandomAccess()
        return try columns.indices.map { i in
            switch columns[i].kind {
            case .integer: return try cells[i].decode(Int64?.self).map(CrawlValue.integer) ?? .null
            case .real: return try cells[i].decode(Double?.self).map(CrawlValue.real) ?? .null
            case .text: return try cells[i].decode(String?.self).map(CrawlValue.text) ?? .null
            case .blob: return try cells[i].decode(ByteBuffer?.self).map { CrawlValue.blob(Data($0.readableBytesView)) } ?? .null
            }
        }
    }
}

extension PostgresBindings {
    /// Binds a value with the column's type even when it is NULL, so the server need not guess.
    mutating func append(_ value: CrawlValue, as kind: CrawlTable.Kind) {
        switch (value, kind) {
        case (.integer(let i), .integer): append(i)
        case (.integer(let i), .real): append(Double(i))
        case (.integer(let i), .text): append(String(i))
        case (.real(let d), .real): append(d)
        case (.real(let d), .integer): append(Int64(d))
        case (.real(let d), .text): append(String(d))
        case (.text(let s), .text): append(s)
        case (.text(let s), .integer): append(Int64(s))
        case (.text(let s), .real): append(Double(s))
        case (.null, .integer): append(Int64?.none)
        case (.null, .real): append(Double?.none)
        case (.null, .text): append(String?.none)
        case (.blob(let b), .blob): append(ByteBuffer(bytes: b))
        case (.null, .blob): append(ByteBuffer?.none)
        // A value of another kind never goes into a bytes column, nor bytes into another kind.
        case (.blob, _), (_, .blob): append(ByteBuffer?.none)
        }
    }
}
