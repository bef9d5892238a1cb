import Foundation

/// Which secret may be sent to which endpoint: the one rule every remote model goes through.
///
/// - `openai:` on the hosted API (https://api.openai.com) gets `OPENAI_API_KEY` unless the user names
///   another variable.
/// - Any other endpoint gets a key only from a variable the user names for it (`--api-key-env`, the
///   config's `apiKeyEnv`): a model spec alone never makes the process hand its OpenAI key to
///   whatever server the spec points at.
/// - No secret (key or `user:password`) goes over plain HTTP to a host other than loopback unless
///   the environment variable `NNETNAV_ALLOW_PLAINTEXT_API_KEY=1` says so.
public enum APIKeyScope {
    public static let openAIVariable = "OPENAI_API_KEY"
    public static let plaintextOptInVariable = "NNETNAV_ALLOW_PLAINTEXT_API_KEY"

    /// The variable whose key may go to `remote`, or nil for no key.
    public static func keyVariable(for remote: ChatModelSpec.Remote, named explicit: String?) -> String? {
        if let explicit, !explicit.trimmingCharacters(in: .whitespaces).isEmpty { return explicit }
        return remote.isHostedOpenAI ? openAIVariable : nil
    }

    /// https with host api.openai.com (any path, default port).
    public static func isHostedOpenAI(_ baseURL: String) -> Bool {
        guard let parts = URLParts(baseURL) else { return false }
        return parts.scheme == "https" && parts.host == "api.openai.com" && (parts.port == nil || parts.port == 443)
    }

    /// Throws when a secret would cross the network unencrypted: plain http to a non-loopback host
    /// without the opt-in variable set to 1.
    public static func checkTransport(baseURL: String, sendsSecret: Bool, environment: [String: String]) throws {
        guard sendsSecret, let parts = URLParts(baseURL), parts.scheme == "http", !isLoopback(host: parts.host) else { return }
        guard environment[plaintextOptInVariable] == "1" else {
            throw ChatModelError.unavailable(
                "refusing to send an API key or password over plain HTTP to \(parts.host): use https, or set "
                    + "\(plaintextOptInVariable)=1 to allow it")
        }
    }

    public static func isLoopback(host: String) -> Bool {
        let h = host.lowercased()
        return h == "localhost" || h.hasPrefix("127.") || h == "::1" || h == "[::1]"
    }

    /// Scheme, host and port of an absolute http(s) URL; userinfo skipped.
    struct URLParts {
        var scheme: String
        var host: String
        var port: Int?

        init?(_ url: String) {
            guard let sep = url.range(of: "://") else { return nil }
            scheme = url[..<sep.lowerBound].lowercased()
            var authority = url[sep.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
            var hostPart = Substring(authority)
            port = nil
            if hostPart.hasPrefix("["), let close = hostPart.firstIndex(of: "]") {
                let rest = hostPart[hostPart.index(after: close)...]
                if rest.hasPrefix(":") { port = Int(rest.dropFirst()) }
                hostPart = hostPart[...close]
            } else if let colon = hostPart.lastIndex(of: ":") {
                port = Int(hostPart[hostPart.index(after: colon)...])
                hostPart = hostPart[..<colon]
            }
            host = hostPart.lowercased()
            guard !host.isEmpty else { return nil }
        }
    }
}

/// `user:password` that was written in a base URL. Kept out of the URL so it never reaches the
/// model identifier (hence cache keys, the crawl store, reports and logs); sent as HTTP Basic auth.
public struct URLCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let userInfo: String

    public var description: String { "[redacted]" }
    public var debugDescription: String { "[redacted]" }
    public var customMirror: Mirror { Mirror(self, children: []) }

    /// `Authorization` header value.
    var basicAuthorization: String {
        let decoded = userInfo.removingPercentEncoding ?? userInfo
        return "Basic " + Data(decoded.utf8).base64EncodedString()
    }

    /// The URL without `user:password@`, and the credentials taken out of it.
    public static func split(_ url: String) -> (url: String, credentials: URLCredentials?) {
        guard let sep = url.range(of: "://") else { return (url, nil) }
        let rest = url[sep.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        // The last "@" ends the userinfo: whatever follows is the host actually connected to.
        guard let at = authority.lastIndex(of: "@") else { return (url, nil) }
        let userInfo = String(authority[..<at])
        let clean = String(url[..<sep.upperBound]) + String(authority[authority.index(after: at)...]) + String(rest[authorityEnd...])
        return (clean, userInfo.isEmpty ? nil : URLCredentials(userInfo: userInfo))
    }

    /// Text with the userinfo of every `scheme://user:pass@` replaced by `[redacted]`, for messages
    /// that quote what the user typed.
    public static func redact(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let sep = rest.range(of: "://") {
            out += rest[..<sep.upperBound]
            rest = rest[sep.upperBound...]
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" || $0 == " " } ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@") {
                out += "[redacted]@"
                rest = rest[rest.index(after: at)...]
            }
        }
        return out + rest
    }
}
