import Foundation
import HTTPServer

/// Decoded `application/x-www-form-urlencoded` fields (a query string or a POSTed form), in order.
public struct FormData: Sendable {
    public private(set) var pairs: [(name: String, value: String)]

    public init(pairs: [(name: String, value: String)] = []) { self.pairs = pairs }

    /// Parses `a=1&b=two+words&c=%C3%A9`; malformed escapes are kept literally rather than rejected.
    public init(encoded: String) {
        var pairs: [(String, String)] = []
        for part in encoded.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(kv[0])
            let value = kv.count > 1 ? Self.decode(kv[1]) : ""
            pairs.append((name, value))
        }
        self.pairs = pairs
    }

    /// The first value for a name, trimmed; nil when absent or blank.
    public subscript(_ name: String) -> String? {
        guard let v = pairs.first(where: { $0.name == name })?.value else { return nil }
        let trimmed = v.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    public func all(_ name: String) -> [String] { pairs.filter { $0.name == name }.map(\.value) }
    public func int(_ name: String) -> Int? { self[name].flatMap { Int($0) } }

    /// The largest page number any listing accepts. Request values reach `(page - 1) * perPage`
    /// offsets, so they are bounded here, once, before any arithmetic can trap on them.
    public static let maxPageNumber = 100_000

    /// The 1-based `page` field: 1 when absent, blank or below 1 (as before), a 400 when it is not a
    /// whole number or is beyond `maxPageNumber` (`?page=9223372036854775807` must not kill the server).
    public func pageNumber(_ name: String = "page") throws -> Int {
        guard let text = self[name] else { return 1 }
        guard let value = Int(text), value <= Self.maxPageNumber else {
            throw HTTPError(.badRequest, message: "The \(name) must be a whole number from 1 to \(Self.maxPageNumber).")
        }
        return max(1, value)
    }
    public func double(_ name: String) -> Double? {
        self[name].flatMap { Double($0.replacingOccurrences(of: "$", with: "").replacingOccurrences(of: ",", with: "")) }
    }

    static func decode(_ s: Substring) -> String {
        let plusDecoded = s.replacingOccurrences(of: "+", with: " ")
        return plusDecoded.removingPercentEncoding ?? plusDecoded
    }

    private static let unreserved: CharacterSet = {
        var set = CharacterSet.alphanumerics
        set.insert(charactersIn: "-._~")
        return set
    }()

    public static func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: unreserved) ?? s
    }

    /// `path?name=value&...` with values escaped; just `path` when `query` is empty.
    public static func encode(path: String, query: [(String, String)]) -> String {
        let q = query.filter { !$0.1.isEmpty }.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
        return q.isEmpty ? path : "\(path)?\(q)"
    }
}

extension Request {
    /// The query string's fields.
    public var query: FormData { FormData(encoded: uri.query ?? "") }

    /// The body's form fields (urlencoded); bodies above 1 MB are refused.
    public func form() throws -> FormData {
        FormData(encoded: String(decoding: try body(upTo: 1 << 20), as: UTF8.self))
    }
}
