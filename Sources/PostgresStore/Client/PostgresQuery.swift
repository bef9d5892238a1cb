import Foundation

/// One SQL statement and its parameters. Written as a string literal with interpolated values,
/// each `\(value)` becomes a `$n` placeholder bound with the value's PostgreSQL type, so no value
/// is ever spliced into the text; `init(unsafeSQL:)` is for text the program itself composed.
public struct PostgresQuery: Sendable, ExpressibleByStringInterpolation {
    public var sql: String
    public var binds: [PostgresBind]

    public init(unsafeSQL sql: String, binds: [PostgresBind] = []) {
        self.sql = sql
        self.binds = binds
    }

    public init(stringLiteral value: String) { self.init(unsafeSQL: value) }

    public init(stringInterpolation: StringInterpolation) {
        self.init(unsafeSQL: stringInterpolation.sql, binds: stringInterpolation.binds)
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var sql = ""
        var binds: [PostgresBind] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + 3 * interpolationCount)
        }
        public mutating func appendLiteral(_ literal: String) { sql += literal }
        public mutating func appendInterpolation(_ value: String) { bind(.text(value)) }
        public mutating func appendInterpolation(_ value: Int64) { bind(.int8(value)) }
        public mutating func appendInterpolation(_ value: Double) { bind(.float8(value)) }
        public mutating func appendInterpolation(_ value: [Int64]) { bind(.int8Array(value)) }

        private mutating func bind(_ value: PostgresBind) {
            binds.append(value)
            sql += "$\(binds.count)"
        }
    }
}

/// A parameter as libpq sends it: the type's OID (so the server never has to guess, not even for
/// a NULL), and the value's bytes in the type's text form, or raw bytes for `bytea`.
public struct PostgresBind: Sendable, Equatable {
    /// `pg_type.oid` of the built-in types the stores use.
    public enum TypeOID: UInt32, Sendable {
        case bytea = 17, int8 = 20, text = 25, float8 = 701, int8Array = 1016
    }
    public var type: TypeOID
    /// nil is SQL NULL.
    public var bytes: [UInt8]?
    /// Raw bytes (libpq's binary format) rather than the type's text input form.
    public var binary: Bool

    public static func text(_ value: String?) -> PostgresBind {
        PostgresBind(type: .text, bytes: value.map { Array($0.utf8) }, binary: false)
    }
    public static func int8(_ value: Int64?) -> PostgresBind {
        PostgresBind(type: .int8, bytes: value.map { Array(String($0).utf8) }, binary: false)
    }
    public static func float8(_ value: Double?) -> PostgresBind {
        PostgresBind(type: .float8, bytes: value.map { Array(PostgresText.float8($0).utf8) }, binary: false)
    }
    public static func int8Array(_ values: [Int64]) -> PostgresBind {
        PostgresBind(type: .int8Array, bytes: Array("{\(values.map(String.init).joined(separator: ","))}".utf8),
                     binary: false)
    }
    public static func bytea(_ value: Data?) -> PostgresBind {
        PostgresBind(type: .bytea, bytes: value.map { Array($0) }, binary: true)
    }
}

/// PostgreSQL's text forms of the values whose Swift spelling differs from the server's.
enum PostgresText {
    /// Swift prints infinities and NaN as `inf`/`nan`; float8's input wants `Infinity`/`NaN`.
    /// Finite values print in the shortest form that reads back to the same double.
    static func float8(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        return "\(value)"
    }
}
