import Foundation
import HTTPTransport

/// Idle HTTP clients for reuse, and a thread per blocking request.
///
/// One `HTTPClient` serialises its requests, so each in-flight request borrows its own; keeping
/// them keeps their connections alive between calls.
///
/// Requests run on a thread of their own rather than through `HTTPClient.send`: that queues the
/// blocking curl call on Dispatch's width-limited global pool, and on a 2-core machine two slow
/// model calls then occupy it and stall every timer (`Task.sleep`, retry backoff) in the process
/// for about a second until Dispatch adds a thread. A model call lasts seconds, so a thread
/// per call costs nothing that matters.
actor HTTPClientPool {
    private let configuration: HTTPClient.Configuration
    private var idle: [HTTPClient] = []

    init(configuration: HTTPClient.Configuration) { self.configuration = configuration }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let client = idle.popLast() ?? HTTPClient(configuration: configuration)
        defer { idle.append(client) }
        return try await Self.onOwnThread { try client.sendBlocking(request) }
    }

    private static func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try work() }) }
            thread.name = "nnetnav.model-http"
            thread.start()
        }
    }
}
