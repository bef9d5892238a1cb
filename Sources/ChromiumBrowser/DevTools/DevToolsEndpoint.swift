import Foundation
import HTTPTransport

/// Chromium's HTTP discovery endpoint (`--remote-debugging-port`): `/json/version` names the
/// browser's WebSocket.
enum DevToolsEndpoint {
    static func browserWebSocketURL(_ endpoint: String) throws -> String {
        guard endpoint.hasPrefix("http://") else {
            throw ChromiumError.launchFailed("a DevTools endpoint is ws://host:port/devtools/browser/<id> or http://host:port, not \(endpoint)")
        }
        let base = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        let response: HTTPResponse
        do {
            response = try HTTPClient().sendBlocking(HTTPRequest(url: base + "/json/version"))
        } catch {
            throw ChromiumError.launchFailed("no DevTools endpoint at \(base): \(error)")
        }
        struct Version: Decodable { let webSocketDebuggerUrl: String }
        guard response.status == 200, let version = try? JSONDecoder().decode(Version.self, from: response.body) else {
            throw ChromiumError.launchFailed("\(base)/json/version did not name a browser WebSocket (HTTP \(response.status))")
        }
        return version.webSocketDebuggerUrl
    }
}
