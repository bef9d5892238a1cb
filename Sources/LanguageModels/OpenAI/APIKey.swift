import Foundation

/// An API key read from the environment. It prints, dumps and reflects as `[redacted]`, so that
/// logging or dumping a model never leaks it; only the request header sees the value.
struct APIKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let value: String

    init?(environmentVariable name: String, environment: [String: String]) {
        guard let raw = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !raw.isEmpty else { return nil }
        value = raw
    }

    var description: String { "[redacted]" }
    var debugDescription: String { "[redacted]" }
    var customMirror: Mirror { Mirror(self, children: []) }

    /// The text with every occurrence of the key replaced, for server messages that echo it.
    func redact(_ text: String) -> String { text.replacingOccurrences(of: value, with: "[redacted]") }
}
