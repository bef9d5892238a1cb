import Foundation

/// One result row in libpq's text format: each cell's bytes, or nil for NULL.
public struct PostgresRow: Sendable {
    public let cells: [[UInt8]?]

    /// Column `index` decoded as `type`; a NULL decodes only into an optional.
    public func decode<T: PostgresDecodable>(_ index: Int, as type: T.Type) throws -> T {
        guard cells.indices.contains(index) else { throw PostgresError.decoding(column: index, "the row has \(cells.count) columns") }
        return try T(postgresText: cells[index], column: index)
    }
}

/// A Swift type a column of text-format results converts to.
public protocol PostgresDecodable {
    init(postgresText bytes: [UInt8]?, column: Int) throws
}

extension PostgresDecodable {
    static func nonNull(_ bytes: [UInt8]?, column: Int) throws -> String {
        guard let bytes else { throw PostgresError.decoding(column: column, "NULL where \(Self.self) was expected") }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String: PostgresDecodable {
    public init(postgresText bytes: [UInt8]?, column: Int) throws { self = try Self.nonNull(bytes, column: column) }
}

extension Int64: PostgresDecodable {
    public init(postgresText bytes: [UInt8]?, column: Int) throws {
        let text = try Self.nonNull(bytes, column: column)
        guard let value = Int64(text) else { throw PostgresError.decoding(column: column, "\(text.debugDescription) is not an integer") }
        self = value
    }
}

extension Double: PostgresDecodable {
    public init(postgresText bytes: [UInt8]?, column: Int) throws {
        let text = try Self.nonNull(bytes, column: column)
        switch text {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default:
            guard let value = Double(text) else { throw PostgresError.decoding(column: column, "\(text.debugDescription) is not a number") }
            self = value
        }
    }
}

extension Data: PostgresDecodable {
    /// `bytea` in its hex output form, `\x` followed by two hex digits per byte (the server's default
    /// `bytea_output` since PostgreSQL 9.0).
    public init(postgresText bytes: [UInt8]?, column: Int) throws {
        guard let bytes else { throw PostgresError.decoding(column: column, "NULL where bytes were expected") }
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "\\"), bytes[1] == UInt8(ascii: "x"), bytes.count % 2 == 0 else {
            throw PostgresError.decoding(column: column, "bytea not in hex form (set bytea_output = hex)")
        }
        var out = Data(capacity: (bytes.count - 2) / 2)
        var i = 2
        while i < bytes.count {
            guard let high = Self.hexDigit(bytes[i]), let low = Self.hexDigit(bytes[i + 1]) else {
                throw PostgresError.decoding(column: column, "bytea has a character that is not a hex digit")
            }
            out.append(high << 4 | low)
            i += 2
        }
        self = out
    }

    private static func hexDigit(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init(postgresText bytes: [UInt8]?, column: Int) throws {
        self = try bytes.map { try Wrapped(postgresText: $0, column: column) }
    }
}
