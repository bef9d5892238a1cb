import Foundation
import HTTPServer

/// One site server, listening before its router exists. It binds first (port 0 lets the kernel
/// choose a free port, read back once listening, so no other process can take it in between),
/// because every site of an instance needs all its peers' URLs before its router is built; the
/// router is installed afterwards, and until then the server answers 503.
final class SiteListener: Sendable {
    let port: Int
    private let server: HTTP1Server
    private let slot: ResponderSlot

    private init(server: HTTP1Server, slot: ResponderSlot) {
        self.server = server
        self.port = server.port
        self.slot = slot
    }

    /// Starts a server on 127.0.0.1:`port` (0: a free port) and returns once it listens.
    static func listen(site: SiteName, port requested: Int) async throws -> SiteListener {
        let slot = ResponderSlot()
        do {
            let server = try HTTP1Server.start(
                HTTP1Server.Configuration(host: "127.0.0.1", port: requested, serverName: "nnetnav-\(site.rawValue)"),
                responder: SlotResponder(slot: slot))
            return SiteListener(server: server, slot: slot)
        } catch {
            throw SiteClusterError.serverFailed(site, port: requested, message: String(describing: error))
        }
    }

    /// Starts answering with `responder`.
    func install<Responder: HTTPResponder>(_ responder: Responder) where Responder.Context == SiteRequestContext {
        slot.install { request, context in try await responder.respond(to: request, context: context) }
    }

    /// Stops the server: open connections are closed and the port is free when this returns.
    func stop() async { await server.stop() }
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
