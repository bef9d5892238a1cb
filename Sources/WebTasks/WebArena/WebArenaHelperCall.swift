import Foundation

/// WebArena's `func:` forms in `program_html` (`evaluation_harness/helper_functions.py`), parsed
/// rather than `eval`-ed: a config can only name one of these, with literal string arguments.
public enum WebArenaHelperCall: Sendable, Hashable {
    /// `func:reddit_get_post_url('__last_url__')`: the post a forum URL belongs to.
    case redditPostURL(of: String)
    /// `func:shopping_get_latest_order_url()`: the customer's page of the newest order (shop REST API).
    case shoppingLatestOrderURL
    /// `func:gitlab_get_project_memeber_role(__page__, 'name')`: the member's role on a project members page.
    case gitlabProjectMemberRole(account: String)
    /// `func:shopping_get_sku_latest_review_rating('SKU')` (the rating's percent) and `…_author` (its nickname).
    case shoppingLatestReviewRating(sku: String)
    case shoppingLatestReviewAuthor(sku: String)

    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let text: String
        public let reason: String
        public var description: String { "unsupported WebArena helper '\(text)': \(reason)" }
    }

    /// Parses `func:name(args)`; `lastURL` replaces WebArena's `__last_url__`.
    public init(_ text: String, lastURL: String = "") throws {
        guard text.hasPrefix("func:") else { throw ParseError(text: text, reason: "does not start with func:") }
        let call = text.dropFirst(5).trimmingCharacters(in: .whitespaces)
        guard let open = call.firstIndex(of: "("), call.hasSuffix(")") else {
            throw ParseError(text: text, reason: "expected name(arguments)")
        }
        let name = String(call[..<open])
        let arguments = try Self.arguments(String(call[call.index(after: open)..<call.index(before: call.endIndex)]), in: text)
            .map { $0.replacingOccurrences(of: "__last_url__", with: lastURL) }
        func one(_ index: Int) throws -> String {
            guard arguments.count > index else { throw ParseError(text: text, reason: "\(name) needs \(index + 1) argument(s)") }
            return arguments[index]
        }
        switch name {
        case "reddit_get_post_url": self = .redditPostURL(of: try one(0))
        case "shopping_get_latest_order_url": self = .shoppingLatestOrderURL
        case "gitlab_get_project_memeber_role", "gitlab_get_project_member_role":
            self = .gitlabProjectMemberRole(account: try one(1))
        case "shopping_get_sku_latest_review_rating": self = .shoppingLatestReviewRating(sku: try one(0))
        case "shopping_get_sku_latest_review_author": self = .shoppingLatestReviewAuthor(sku: try one(0))
        default: throw ParseError(text: text, reason: "no helper named \(name)")
        }
    }

    /// Comma-separated arguments: quoted strings ('…' or "…", backslash escapes) or bare words (`__page__`).
    private static func arguments(_ s: String, in text: String) throws -> [String] {
        var out: [String] = []
        var i = s.startIndex
        while i < s.endIndex {
            while i < s.endIndex, s[i].isWhitespace || s[i] == "," { i = s.index(after: i) }
            guard i < s.endIndex else { break }
            if s[i] == "'" || s[i] == "\"" {
                let quote = s[i]
                var value = ""
                i = s.index(after: i)
                var closed = false
                while i < s.endIndex {
                    let c = s[i]
                    i = s.index(after: i)
                    if c == "\\", i < s.endIndex { value.append(s[i]); i = s.index(after: i); continue }
                    if c == quote { closed = true; break }
                    value.append(c)
                }
                guard closed else { throw ParseError(text: text, reason: "unterminated string argument") }
                out.append(value)
            } else {
                let start = i
                while i < s.endIndex, s[i] != "," { i = s.index(after: i) }
                out.append(s[start..<i].trimmingCharacters(in: .whitespaces))
            }
        }
        return out
    }

    /// `http://host/f/forum/123/slug/comment/9` → `http://host/f/forum/123/`; any other URL unchanged.
    /// Unlike WebArena's `reddit_get_post_url`, the forum may sit under a path (`REDDIT=http://host/forum`):
    /// the first `/f/<forum>/<id>` in the path is found wherever it starts.
    public static func redditPostURL(_ url: String) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else { return url }
        let segments = components.percentEncodedPath.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard let f = segments.indices.first(where: { segments[$0] == "f" && $0 + 2 < segments.count && !segments[$0 + 2].isEmpty }) else {
            return url
        }
        let port = components.port.map { ":\($0)" } ?? ""
        let prefix = segments[..<f].joined(separator: "/")
        return "\(scheme)://\(host)\(port)\(prefix)/f/\(segments[f + 1])/\(segments[f + 2])/"
    }

    /// The JavaScript WebArena runs for the member role: the role cell in the row whose account
    /// sub-label is `@account`; "" when the account is not listed.
    static func gitlabRoleScript(account: String) -> String {
        let quoted = String(decoding: (try? JSONEncoder().encode("@" + account)) ?? Data("\"\"".utf8), as: UTF8.self)
        return """
            (() => { const accounts = [...document.querySelectorAll("td[data-label='Account'] span.gl-avatar-labeled-sublabel")]; \
            const index = accounts.findIndex(e => e.outerText.trim() === \(quoted)); \
            if (index < 0) return ''; \
            const role = document.querySelectorAll("td.col-max-role span")[index]; \
            return role ? role.outerText : ''; })()
            """
    }
}
