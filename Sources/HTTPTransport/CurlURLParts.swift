import CCurl

/// A URL's scheme, host and port as libcurl itself parses them (`curl_url`, the parser behind
/// `CURLOPT_URL`). An allowlist has to judge the host libcurl will connect to, not the host a
/// different parser sees: the two disagree on URLs such as `http://a@b@c/` (libcurl ends the
/// user part at the first `@`, so its host is `b@c` and the request fails, where a last-`@` split
/// sees `c`).
public struct CurlURLParts: Sendable, Hashable {
    /// Lower-case scheme (`http`).
    public var scheme: String
    /// Lower-case host; IPv6 literals keep their brackets (`[::1]`).
    public var host: String
    /// The explicit port, else the scheme's default.
    public var port: Int

    /// Nil when libcurl refuses the URL (it would not make the request either).
    public init?(_ url: String) {
        guard let handle = curl_url() else { return nil }
        defer { curl_url_cleanup(handle) }
        // The flags `curl_easy_setopt(CURLOPT_URL)` parses with for absolute URLs.
        guard curl_url_set(handle, CURLUPART_URL, url, UInt32(CURLU_NON_SUPPORT_SCHEME)) == CURLUE_OK else { return nil }
        func part(_ which: CURLUPart, _ flags: Int32 = 0) -> String? {
            var out: UnsafeMutablePointer<CChar>?
            guard curl_url_get(handle, which, &out, UInt32(flags)) == CURLUE_OK, let out else { return nil }
            defer { curl_free(out) }
            return String(cString: out)
        }
        guard let scheme = part(CURLUPART_SCHEME), let host = part(CURLUPART_HOST),
              let port = part(CURLUPART_PORT, CURLU_DEFAULT_PORT).flatMap({ Int($0) }) else { return nil }
        self.scheme = scheme.lowercased()
        self.host = host.lowercased()
        self.port = port
    }
}
