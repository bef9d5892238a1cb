/// A route's path, split into segments: literal text, `:name` (one segment, captured), `*` (one
/// segment, not captured) and a final `**` (one or more segments, captured as the catch-all).
struct RoutePattern: Sendable {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
        case wildcard
        case catchAll

        /// Lower is more specific: when several routes match, the one whose segments are more
        /// specific, first segment first, wins (`/users/:name` before `/:ns/:project`).
        var rank: Int {
            switch self {
            case .literal: return 0
            case .parameter: return 1
            case .wildcard: return 2
            case .catchAll: return 3
            }
        }
    }

    let segments: [Segment]

    init(_ path: String) {
        segments = RoutePattern.split(path).map { part -> Segment in
            if part == "**" { return .catchAll }
            if part == "*" { return .wildcard }
            if part.hasPrefix(":"), part.count > 1 { return .parameter(String(part.dropFirst())) }
            return .literal(String(part))
        }
    }

    /// A path's non-empty segments: `/a//b/` and `a/b` are the same path.
    static func split(_ path: String) -> [Substring] { path.split(separator: "/", omittingEmptySubsequences: true) }

    /// The parameters when `path` (already split) matches.
    func match(_ path: [Substring]) -> Parameters? {
        var named: [(name: String, value: String)] = []
        for (i, segment) in segments.enumerated() {
            switch segment {
            case .catchAll:
                guard i == segments.count - 1, path.count > i else { return nil }
                return Parameters(named: named, catchAll: path[i...].map(String.init))
            case .literal(let text):
                guard i < path.count, path[i] == text else { return nil }
            case .parameter(let name):
                guard i < path.count else { return nil }
                named.append((name, String(path[i])))
            case .wildcard:
                guard i < path.count else { return nil }
            }
        }
        return path.count == segments.count ? Parameters(named: named, catchAll: []) : nil
    }

    /// True when this pattern should win over `other` for a path both match.
    func isMoreSpecific(than other: RoutePattern) -> Bool {
        for (a, b) in zip(segments, other.segments) where a.rank != b.rank { return a.rank < b.rank }
        return segments.count > other.segments.count
    }
}
