import Foundation

/// A settings struct read from a JSON config file whose nested settings structs are checked too.
/// Conforming is all it takes: the known keys are the struct's stored properties.
public protocol ConfigSection {}

/// A config file that cannot be used: the message names the file and the key.
public struct ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String?
    public var key: String
    public var problem: String

    public init(file: String? = nil, key: String, problem: String) {
        self.file = file
        self.key = key
        self.problem = problem
    }

    public var description: String {
        (file.map { "\($0): " } ?? "") + (key.isEmpty ? problem : "\"\(key)\" \(problem)")
    }

    /// The same error, said of `file`.
    public func inFile(_ file: String) -> ConfigError {
        var copy = self
        copy.file = file
        return copy
    }
}

public enum ConfigKeys {
    /// The first key of `object` (depth first, as a dotted path) that `template` does not have, with
    /// the keys it does have. The known keys are the template's stored properties (the synthesized
    /// coding keys); properties holding a `ConfigSection` are checked one level down.
    public static func checkNoUnknownKeys(_ object: [String: Any], against template: Any, path: String = "") throws {
        let children = Dictionary(Mirror(reflecting: template).children.compactMap { child in
            child.label.map { ($0, child.value) }
        }, uniquingKeysWith: { first, _ in first })
        for key in object.keys.sorted() {
            let dotted = path.isEmpty ? key : path + "." + key
            guard let value = children[key] else {
                throw ConfigError(key: dotted, problem: "is not a setting; known here: "
                                  + children.keys.sorted().joined(separator: ", "))
            }
            if let section = value as? any ConfigSection, let nested = object[key] as? [String: Any] {
                try checkNoUnknownKeys(nested, against: section, path: dotted)
            }
        }
    }

    /// A decoding failure, said with the dotted path of the key it happened at.
    public static func error(_ error: any Error) -> ConfigError {
        guard let decoding = error as? DecodingError else { return ConfigError(key: "", problem: "\(error)") }
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch decoding {
        case .typeMismatch(let type, let context):
            return ConfigError(key: path(context), problem: "must be \(Self.name(of: type))")
        case .valueNotFound(let type, let context):
            return ConfigError(key: path(context), problem: "must be \(Self.name(of: type)), not null")
        case .keyNotFound(let key, let context):
            return ConfigError(key: path(context), problem: "is missing \"\(key.stringValue)\"")
        case .dataCorrupted(let context):
            return ConfigError(key: path(context), problem: context.debugDescription)
        @unknown default:
            return ConfigError(key: "", problem: "\(error)")
        }
    }

    private static func name(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is UInt64.Type: "a whole number"
        case is Double.Type, is Float.Type: "a number"
        default: "\(type)"
        }
    }
}

/// Range checks of a config's values, each failure naming its key.
public struct ConfigChecks {
    public private(set) var path: String

    public init(path: String = "") { self.path = path }

    /// Checks of a nested section, whose keys are prefixed with `section.`.
    public func section(_ section: String) -> ConfigChecks {
        ConfigChecks(path: path.isEmpty ? section : path + "." + section)
    }

    private func key(_ name: String) -> String { path.isEmpty ? name : path + "." + name }

    public func positive<T: Comparable & Numeric>(_ name: String, _ value: T) throws {
        guard value > 0 else { throw ConfigError(key: key(name), problem: "must be positive, not \(value)") }
    }

    public func nonNegative<T: Comparable & Numeric>(_ name: String, _ value: T) throws {
        guard value >= 0 else { throw ConfigError(key: key(name), problem: "must be 0 or more, not \(value)") }
    }

    public func within<T: Comparable>(_ name: String, _ value: T, _ range: ClosedRange<T>) throws {
        guard range.contains(value) else {
            throw ConfigError(key: key(name), problem: "must be between \(range.lowerBound) and \(range.upperBound), not \(value)")
        }
    }

    public func oneOf(_ name: String, _ value: String, _ allowed: [String]) throws {
        guard allowed.contains(value) else {
            throw ConfigError(key: key(name), problem: "must be one of \(allowed.joined(separator: ", ")), not \"\(value)\"")
        }
    }
}
