import Foundation

/// Resolving links and form actions the way a browser does.
public enum URLResolution {
    /// `reference` resolved against `base`; nil when it cannot form a URL.
    public static func resolve(_ reference: String, against base: String) -> String? {
        let trimmed = reference.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return base.split(separator: "#", maxSplits: 1).first.map(String.init) ?? base }
        if let absolute = URL(string: trimmed), absolute.scheme != nil { return absolute.absoluteString }
        guard let baseURL = URL(string: base) ?? URL(string: base.addingPercentEncoding(withAllowedCharacters: .urlFragmentAllowed) ?? base),
              let url = URL(string: trimmed, relativeTo: baseURL)
                ?? URL(string: trimmed.addingPercentEncoding(withAllowedCharacters: .urlFragmentAllowed) ?? trimmed, relativeTo: baseURL)
        else { return nil }
        return url.absoluteURL.absoluteString
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
