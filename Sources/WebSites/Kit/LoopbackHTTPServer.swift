import HTTPServer

/// An HTTP server on 127.0.0.1 for the length of `body` (a test's stand-in, a bench's saved pages or
/// model): it binds port 0, so the kernel picks a free port, and hands that port to `body`; the server
/// stops, and frees the port, when `body` returns or throws.
public enum LoopbackHTTPServer {
    public static func with<Context: RequestContext, T: Sendable>(router: Router<Context>, label: String,
                                                                  _ body: (_ port: Int) async throws -> T) async throws -> T {
        let server = try HTTP1Server.start(HTTP1Server.Configuration(host: "127.0.0.1", port: 0, serverName: label),
                                           responder: router.buildResponder())
        do {
            let result = try await body(server.port)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }
}
