import Hummingbird
import Logging

/// A Hummingbird server on 127.0.0.1 for the length of `body` (a test's stand-in, a bench's saved pages or
/// model): it binds port 0, so the kernel picks a free port, and hands that port to `body`; the server
/// stops when `body` returns.
public enum LoopbackHTTPServer {
    public static func with<T: Sendable>(router: Router<BasicRequestContext>, label: String,
                                         _ body: (_ port: Int) async throws -> T) async throws -> T {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            // Start and shutdown chatter would bury the test or bench output.
            logger: Logger(label: label, factory: { _ in SwiftLogNoOpLogHandler() }))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else { throw CancellationError() }
            defer { group.cancelAll() }
            return try await body(port)
        }
    }
}
