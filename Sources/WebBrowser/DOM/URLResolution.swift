import Foundation

/// Resolving links and form actions the way a browser does.
public enum URLResolution {
    /// `reference` resolved against `base`; nil when it cannot form a URL.
    public static func resolve(_ reference: String, against base: String) -> String? {
        Resolver(base: base).resolve(reference)
    }

    /// Resolves many references against one base: the tree builder resolves every link of a
    /// page. The plain cases (`/path`, `page.html`, `?query`, `#fragment`, `http://...` with no
    /// dot segments or characters needing escapes) are string operations; everything else goes
    /// through Foundation's `URL`, whose results the fast paths reproduce exactly.
    public struct Resolver: Sendable {
        public let base: String
        /// `scheme://authority` of the base, when it has one.
        private let origin: Substring?
        /// The base up to and including the last `/` of its path.
        private let directory: Substring?
        /// The base without its query and fragment.
        private let withoutQuery: Substring
        /// The base without its fragment.
        private let withoutFragment: Substring
        private let baseIsPlain: Bool

        public init(base: String) {
            self.base = base
            let fragmentStart = base.firstIndex(of: "#") ?? base.endIndex
            withoutFragment = base[..<fragmentStart]
            let queryStart = withoutFragment.firstIndex(of: "?") ?? fragmentStart
            withoutQuery = base[..<queryStart]
            baseIsPlain = Self.isPlain(base.utf8)
            guard baseIsPlain, let separator = base.range(of: "://"),
                  base[..<separator.lowerBound].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") }) else {
                origin = nil
                directory = nil
                return
            }
            let authorityEnd = withoutQuery[separator.upperBound...].firstIndex(of: "/") ?? withoutQuery.endIndex
            origin = base[..<authorityEnd]
            if authorityEnd == withoutQuery.endIndex {
                directory = nil  // "http://host" has an empty path: let Foundation decide
            } else {
                let lastSlash = withoutQuery.lastIndex(of: "/")!
                directory = base[...lastSlash]
            }
        }

        public func resolve(_ reference: String) -> String? {
            if let fast = fastPath(reference) { return fast }
            return Self.foundationResolve(reference, against: base)
        }

        private func fastPath(_ reference: String) -> String? {
            let bytes = reference.utf8
            guard let first = bytes.first, Self.isPlain(bytes) else { return nil }
            switch first {
            case UInt8(ascii: "#"):
                guard baseIsPlain else { return nil }
                return withoutFragment + reference
            case UInt8(ascii: "?"):
                guard origin != nil else { return nil }
                return withoutQuery + reference
            case UInt8(ascii: "/"):
                guard let origin, bytes.count < 2 || bytes[bytes.index(after: bytes.startIndex)] != UInt8(ascii: "/"),
                      !Self.hasDotSegment(reference) else { return nil }
                return origin + reference
            case UInt8(ascii: "."):
                return nil
            default:
                if reference.hasPrefix("http://") || reference.hasPrefix("https://") {
                    // Already absolute; Foundation returns it unchanged when it has a path.
                    guard let rest = reference.range(of: "://"),
                          reference[rest.upperBound...].contains("/"), !Self.hasDotSegment(reference) else { return nil }
                    return reference
                }
                // A relative path, unless its first segment holds a scheme (`mailto:`, `javascript:`).
                let firstSegment = reference.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
                guard let directory, !firstSegment.contains(":"), !Self.hasDotSegment(reference) else { return nil }
                return directory + reference
            }
        }

        /// ASCII characters that need no escaping in a URL (no space, quote, brackets, backslash).
        private static func isPlain(_ bytes: String.UTF8View) -> Bool {
            for byte in bytes {
                guard byte > 0x20, byte < 0x7F else { return false }
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\\"), UInt8(ascii: "^"),
                     UInt8(ascii: "`"), UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"), UInt8(ascii: "%"):
                    return false
                default: continue
                }
            }
            return true
        }

        /// Whether the path has `.` or `..` segments, which resolution would remove.
        private static func hasDotSegment(_ reference: String) -> Bool {
            var dots = 0  // dots since the segment began; -1 once it holds anything else
            for byte in reference.utf8 {
                switch byte {
                case UInt8(ascii: "?"), UInt8(ascii: "#"): return dots == 1 || dots == 2
                case UInt8(ascii: "/"):
                    if dots == 1 || dots == 2 { return true }
                    dots = 0
                case UInt8(ascii: "."): if dots >= 0 { dots += 1 }
                default: dots = -1
                }
            }
            return dots == 1 || dots == 2
        }

        static func foundationResolve(_ reference: String, against base: String) -> String? {
            let trimmed = reference.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { return base.split(separator: "#", maxSplits: 1).first.map(String.init) ?? base }
            if let absolute = URL(string: trimmed), absolute.scheme != nil { return absolute.absoluteString }
            guard let baseURL = URL(string: base) ?? URL(string: base.addingPercentEncoding(withAllowedCharacters: .urlFragmentAllowed) ?? base),
                  let url = URL(string: trimmed, relativeTo: baseURL)
                    ?? URL(string: trimmed.addingPercentEncoding(withAllowedCharacters: .urlFragmentAllowed) ?? trimmed, relativeTo: baseURL)
            else { return nil }
            return url.absoluteURL.absoluteString
        }
    }

    /// The URL without its `#fragment`.
    public static func removingFragment(_ url: String) -> String {
        url.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? url
    }

    /// `url` with its query replaced (GET form submission).
    public static func replacingQuery(of url: String, with query: String) -> String {
        let base = removingFragment(url)
        let path = base.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? base
        return path + "?" + query
    }
}
