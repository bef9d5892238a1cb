import Hummingbird
import Logging

/// The benches' loopback servers (saved pages, a stand-in model): a router on an ephemeral port of
/// 127.0.0.1, up for exactly as long as `body` runs.
enum Loopback {
    static func serve<T: Sendable>(_ router: Router<BasicRequestContext>, label: String,
                                   _ body: (_ port: Int) async throws -> T) async throws -> T {
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
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
