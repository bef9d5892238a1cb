/// The verdict of one check, with a reason a person can read and, where the check compares two
/// things, what it expected and what it found, so a report can show them side by side.
///
/// `expected` and `actual` are optional: results written before they existed (older
/// `episodes.jsonl`) decode without them, and checks that compare nothing (a setup error) have none.
public struct CheckResult: Sendable, Hashable, Codable, CustomStringConvertible {
    /// "string_match", "url_match", "program_html", "db_check".
    public var kind: String
    public var passed: Bool
    public var reason: String
    /// The reference the check compared with (a reference answer, URL, page text, query value).
    public var expected: String?
    /// What the agent produced or the final state held (its answer, final URL, the text read).
    public var actual: String?

    public init(kind: String, passed: Bool, reason: String, expected: String? = nil, actual: String? = nil) {
        self.kind = kind
        self.passed = passed
        self.reason = reason
        self.expected = expected
        self.actual = actual
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
