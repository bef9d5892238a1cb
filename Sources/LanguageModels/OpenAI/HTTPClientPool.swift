import HTTPTransport

/// Idle HTTP clients for reuse. One `HTTPClient` serialises its requests, so each in-flight
/// request borrows its own; keeping them keeps their connections alive between calls.
actor HTTPClientPool {
    private let configuration: HTTPClient.Configuration
    private var idle: [HTTPClient] = []

    init(configuration: HTTPClient.Configuration) { self.configuration = configuration }

    func withClient<T: Sendable>(_ body: @Sendable (HTTPClient) async throws -> T) async rethrows -> T {
        let client = idle.popLast() ?? HTTPClient(configuration: configuration)
        defer { idle.append(client) }
        return try await body(client)
    }
}
