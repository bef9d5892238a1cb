import Foundation
import HTTPTransport

/// Idle HTTP clients for reuse.
///
/// One `HTTPClient` serialises its requests, so each in-flight request borrows its own; keeping
/// them keeps their connections alive between calls. (`HTTPClient.send` runs each blocking curl
/// call on its own thread, so slow model calls never starve the process's timers.)
actor HTTPClientPool {
    private let configuration: HTTPClient.Configuration
    private var idle: [HTTPClient] = []

    init(configuration: HTTPClient.Configuration) { self.configuration = configuration }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let client = idle.popLast() ?? HTTPClient(configuration: configuration)
        defer { idle.append(client) }
        return try await client.send(request)
    }
}
