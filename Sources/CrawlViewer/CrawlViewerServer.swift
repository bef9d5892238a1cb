import Foundation
import HTTPServer
import NNetnavSupport

/// `nnetnav view`: a local, read-only web UI over one crawl store.
///
/// Every route is a fixed path with at most an integer or an `episode:depth:step` id in it; nothing is
/// read from the file system by request path, so no request can reach a file outside the store.
public struct CrawlViewerServer: Sendable {
    public let reader: CrawlStoreReader
    public let storeName: String

    public init(storePath: String) throws {
        reader = try CrawlStoreReader(path: storePath)
        storeName = URL(fileURLWithPath: storePath).lastPathComponent
    }

    /// Serves until cancelled, or until SIGINT or SIGTERM (then it returns normally, so the caller's
    /// clean-up runs). `onListening` receives the bound port (useful with port 0).
    public func run(host: String = "127.0.0.1", port: Int, onListening: @escaping @Sendable (Int) -> Void) async throws {
        let server = try HTTP1Server.start(HTTP1Server.Configuration(host: host, port: port, serverName: "nnetnav-view"),
                                           responder: makeRouter().buildResponder())
        let signals = [SIGINT, SIGTERM].map { number -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { server.requestStop() }
            source.resume()
            return source
        }
        defer {
            for source in signals { source.cancel() }
            signal(SIGINT, SIG_DFL)
            signal(SIGTERM, SIG_DFL)
        }
        onListening(server.port)
        await withTaskCancellationHandler {
            await server.waitUntilStopped()
        } onCancel: {
            server.requestStop()
        }
    }

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        let pages = ViewerPages(reader: reader, storeName: storeName)
        router.get("/") { request, _ -> Response in
            var query: [String: String] = [:]
            for key in ["site", "outcome", "min_score", "template", "q"] {
                if let value = request.uri.queryParameters[key] { query[key] = value }
            }
            return try Self.page(pages.overview(filter: EpisodeFilter(query: query)))
        }
        router.get("/episodes/:index") { _, context -> Response in
            guard let index = context.parameters.get("index", as: Int.self) else { return Self.notFound() }
            return try pages.episode(index).map(Self.page) ?? Self.notFound()
        }
        router.get("/demonstrations") { request, _ -> Response in
            try Self.page(pages.demonstrations(search: request.uri.queryParameters.get("q")))
        }
        // A step's screenshot, by episode and step number: read from the store, never from a path.
        router.get("/episodes/:index/screenshots/:step") { _, context -> Response in
            guard let index = context.parameters.get("index", as: Int.self), let step = context.parameters.get("step", as: Int.self),
                  let image = try reader.screenshot(episode: index, step: step) else { return Self.notFound() }
            var response = Response(status: .ok, body: ResponseBody(bytes: image))
            response.headers[.contentType] = image.starts(with: [0x89, 0x50, 0x4E, 0x47]) ? "image/png" : "image/jpeg"
            response.headers[.contentSecurityPolicy] = "default-src 'none'"
            return response
        }
        // An exported SFT row id (`episode:depth:step`) leads to the step it was made from.
        router.get("/rows/:id") { _, context -> Response in
            let parts = (context.parameters.get("id") ?? "").split(separator: ":").map { Int($0) }
            guard parts.count == 3, let episode = parts[0], let step = parts[2] else { return Self.notFound() }
            return Response(status: .seeOther, headers: [.location: "/episodes/\(episode)#step-\(step)"])
        }
        return router
    }

    static func page(_ html: HTML) -> Response {
        var response = Response(status: .ok, body: ResponseBody(string: html.rendered))
        response.headers[.contentType] = "text/html; charset=utf-8"
        // Model and page text is escaped when rendered; the policy is a second line of defence.
        response.headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:"
        return response
    }

    static func notFound() -> Response {
        Response(status: .notFound, body: ResponseBody(string: "not found\n"))
    }
}

/// The overview's episode filters, from the query string.
struct EpisodeFilter: Sendable {
    enum Outcome: String { case all, kept, pruned }
    var site: String?
    var outcome: Outcome = .all
    var minimumScore: Double?
    var templateOnly = false
    var search: String?

    init(query: [String: String]) {
        site = query["site"].flatMap { $0.isEmpty ? nil : $0 }
        outcome = query["outcome"].flatMap(Outcome.init(rawValue:)) ?? .all
        minimumScore = query["min_score"].flatMap(Double.init)
        templateOnly = query["template"] == "1"
        search = query["q"].flatMap { $0.isEmpty ? nil : $0 }
    }
}
