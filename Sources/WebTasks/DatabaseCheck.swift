import Foundation
import GRDB
import NNetnavSupport

/// `db_check`: runs a read-only query against the instance database and compares the first column.
public struct DatabaseCheck: Sendable {
    public init() {}

    public func evaluate(_ spec: DatabaseCheckSpec, database: DatabaseQueue) async -> CheckResult {
        let label = spec.note ?? spec.sql
        do {
            let values: [DatabaseValue] = try await database.read { db in
                try DatabaseValue.fetchAll(db, sql: spec.sql)
            }
            let actual: [JSONValue] = values.map(Self.json)
            let ok: Bool
            let shown: String
            switch spec.expected {
            case .array(let expected):
                ok = expected.count == actual.count && zip(expected, actual).allSatisfy(Self.same)
                shown = JSONValue.array(actual).description
            default:
                let first = actual.first ?? .null
                ok = Self.same(spec.expected, first)
                shown = first.description
            }
            return CheckResult(kind: "db_check", passed: ok,
                               reason: ok ? "\(label) = \(shown)" : "\(label): expected \(spec.expected), got \(shown)",
                               expected: "\(spec.expected)", actual: shown)
        } catch {
            return CheckResult(kind: "db_check", passed: false, reason: "\(label): query failed: \(error)")
        }
    }

    static func json(_ value: DatabaseValue) -> JSONValue {
        switch value.storage {
        case .null: return .null
        case .int64(let i): return .number(Double(i))
        case .double(let d): return .number(d)
        case .string(let s): return .string(s)
        case .blob(let b): return .string(b.base64EncodedString())
        }
    }

    /// Numbers compare by value (within 1e-6), strings by normalised text.
    static func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): return abs(x - y) < 1e-6
        case (.bool(let x), .number(let y)), (.number(let y), .bool(let x)): return (x ? 1 : 0) == y
        case (.string(let x), .string(let y)): return AnswerText.equals(x, y)
        case (.string(let s), .number(let n)), (.number(let n), .string(let s)):
            return Double(s).map { abs($0 - n) < 1e-6 } ?? false
        case (.null, .null): return true
        default: return a == b
        }
    }
}
