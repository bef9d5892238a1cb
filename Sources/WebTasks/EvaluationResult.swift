/// The verdict of one check, with a reason a person can read.
public struct CheckResult: Sendable, Hashable, Codable, CustomStringConvertible {
    /// "string_match", "url_match", "program_html", "db_check".
    public var kind: String
    public var passed: Bool
    public var reason: String

    public init(kind: String, passed: Bool, reason: String) {
        self.kind = kind
        self.passed = passed
        self.reason = reason
    }

    public var description: String { "[\(passed ? "pass" : "FAIL")] \(kind): \(reason)" }
}

/// A task's score (product of its checks, 0 or 1) and the checks behind it.
public struct EvaluationResult: Sendable, Hashable, Codable, CustomStringConvertible {
    public var score: Double
    public var checks: [CheckResult]

    public init(checks: [CheckResult]) {
        self.checks = checks
        score = checks.allSatisfy(\.passed) ? 1 : 0
    }

    public var passed: Bool { score == 1 }
    public var description: String {
        "score \(score)\n" + checks.map { "  \($0)" }.joined(separator: "\n")
    }
}
