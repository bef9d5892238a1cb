import Foundation

/// `url_match`: the page the agent ended on against `reference_url`.
///
/// With the default note "GOLD in PRED" a reference passes when its path equals the final URL's
/// path (a trailing slash aside) and each of its query parameters is present with the same value;
/// with "EXACT" path and query must be equal. ` |OR| ` alternatives are honoured.
///
/// WebArena compared the reference path as a substring of the final one, so
/// `/admin/reports/report_product/viewedasdf` passed for `/admin/reports/report_product/viewed`
/// (web-arena-x/webarena#77); here the path must be the same.
public struct URLMatch: Sendable {
    public init() {}

    public func evaluate(finalURL: String, reference: String, note: String?) -> CheckResult {
        let exact = note?.uppercased() == "EXACT"
        let alternatives = AnswerText.alternatives(reference)
        let ok = alternatives.contains { Self.matches(finalURL, $0, exact: exact) }
        return CheckResult(kind: "url_match", passed: ok,
                           reason: ok ? "final URL \(finalURL) matches \(reference)" : "final URL \(finalURL) does not match \(reference)",
                           expected: (exact ? "exactly: " : "") + reference, actual: finalURL)
    }

    static func matches(_ predicted: String, _ reference: String, exact: Bool) -> Bool {
        let p = parts(predicted), r = parts(reference)
        if exact { return p.path == r.path && p.query == r.query }
        guard p.path == r.path || (r.path == "/" && p.path.isEmpty) else { return false }
        for (key, values) in r.query {
            guard let got = p.query[key], values.allSatisfy(got.contains) else { return false }
        }
        return true
    }

    static func parts(_ url: String) -> (path: String, query: [String: Set<String>]) {
        var path = url
        var query: [String: Set<String>] = [:]
        if let scheme = path.range(of: "://") {
            path = String(path[scheme.upperBound...])
            path = path.firstIndex(of: "/").map { String(path[$0...]) } ?? "/"
        }
        if let hash = path.firstIndex(of: "#") { path = String(path[..<hash]) }
        if let q = path.firstIndex(of: "?") {
            for pair in path[path.index(after: q)...].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = decode(kv[0]), value = kv.count > 1 ? decode(kv[1]) : ""
                query[key, default: []].insert(value.lowercased())
            }
            path = String(path[..<q])
        }
        if path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return (path.lowercased(), query)
    }

    private static func decode(_ s: Substring) -> String {
        let plus = s.replacingOccurrences(of: "+", with: " ")
        return plus.removingPercentEncoding ?? plus
    }
}
