import Foundation
import Hummingbird
import Logging

/// One site server, listening before its router exists. It binds first (port 0 lets the kernel
/// choose a free port, read back once listening, so no other process can take it in between),
/// because every site of an instance needs all its peers' URLs before its router is built; the
/// router is installed afterwards, and until then the server answers 503.
final class SiteListener: Sendable {
    let port: Int
    let task: Task<Void, Never>
    private let slot: ResponderSlot

    private init(port: Int, task: Task<Void, Never>, slot: ResponderSlot) {
        self.port = port
        self.task = task
        self.slot = slot
    }

    /// Starts a server on 127.0.0.1:`port` (0: a free port) and returns once it listens.
    static func listen(site: SiteName, port requested: Int) async throws -> SiteListener {
        var logger = Logger(label: "nnetnav.site.\(site.rawValue)")
        logger.logLevel = .critical
        let slot = ResponderSlot()
        let (events, continuation) = AsyncStream<Result<Int, SiteClusterError>>.makeStream()
        let app = Application(responder: SlotResponder(slot: slot),
                              configuration: .init(address: .hostname("127.0.0.1", port: requested),
                                                   serverName: "nnetnav-\(site.rawValue)"),
                              onServerRunning: { channel in continuation.yield(.success(channel.localAddress?.port ?? 0)) },
                              logger: logger)
        let task = Task {
            do {
                try await app.runService(gracefulShutdownSignals: [])
            } catch {
                continuation.yield(.failure(.serverFailed(site, port: requested, message: String(describing: error))))
            }
            continuation.finish()
        }
        for await event in events {
            let port = try event.get()
            guard port > 0 else {
                task.cancel()
                throw SiteClusterError.serverFailed(site, port: requested, message: "the server did not report its port")
            }
            return SiteListener(port: port, task: task, slot: slot)
        }
        throw SiteClusterError.serverFailed(site, port: requested, message: "server stopped before listening")
    }

    /// Starts answering with `responder`.
    func install<Responder: HTTPResponder>(_ responder: Responder) where Responder.Context == SiteRequestContext {
        slot.install { request, context in try await responder.respond(to: request, context: context) }
    }
}

/// The responder of a listening server, set once its site's router is built.
private final class ResponderSlot: @unchecked Sendable {
    typealias Respond = @Sendable (Request, SiteRequestContext) async throws -> Response
    private let lock = NSLock()
    private var respond: Respond?

    func install(_ respond: @escaping Respond) { lock.withLock { self.respond = respond } }
    var current: Respond? { lock.withLock { respond } }
}

private struct SlotResponder: HTTPResponder {
    let slot: ResponderSlot

    func respond(to request: Request, context: SiteRequestContext) async throws -> Response {
        guard let respond = slot.current else { return Response(status: .serviceUnavailable) }
        return try await respond(request, context)
    }
}
