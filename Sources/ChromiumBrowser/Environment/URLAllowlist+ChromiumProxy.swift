import Foundation
import NNetnavSupport
import WebBrowser

extension URLAllowlist {
    /// Where a browser context sends what the Fetch filter cannot see. Chromium's Fetch domain does
    /// not pause WebSocket handshakes, so a context with an allowlist also gets a proxy that goes
    /// nowhere, bypassed only for the allowlist's hosts: any connection to another host, WebSocket
    /// included, fails inside the network stack before a byte leaves the browser.
    /// `<-loopback>` removes Chromium's implicit bypass of loopback, so another local port (another
    /// site instance, a local service) is refused too. Port 9 is the discard service: even where
    /// something listens there, it answers nothing.
    static let unreachableProxy = "http://127.0.0.1:9"

    /// `Target.createBrowserContext`'s proxy parameters for this allowlist; none when any http(s) host is allowed.
    var chromiumContextProxy: [String: JSONValue] {
        let hosts = prefixes.compactMap(Self.bypassRule)
        // No entries and no file restriction means any web host may load: nothing to route away.
        if prefixes.isEmpty && filePaths.isEmpty && !allowFileURLs { return [:] }
        // A live page's images, styles and scripts come from other hosts (CDNs): the proxy would cut
        // them off, so an open-web context relies on the Fetch filter, which still confines documents.
        if subresourcesFromAnyHost { return [:] }
        return ["proxyServer": .string(Self.unreachableProxy),
                "proxyBypassList": .string((["<-loopback>"] + hosts).joined(separator: ";"))]
    }

    /// `host` or `host:port` of an entry (a URL prefix or a bare host), as Chromium's bypass rules write it.
    static func bypassRule(_ entry: String) -> String? {
        let withScheme = entry.contains("://") ? entry : "http://" + entry
        guard let parts = URLComponents(string: withScheme), let host = parts.host, !host.isEmpty else { return nil }
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return parts.port.map { "\(bracketed):\($0)" } ?? bracketed
    }
}
