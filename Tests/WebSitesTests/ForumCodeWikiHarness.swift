import Foundation
import GRDB
import Hummingbird
import HTTPTransport
import NIOCore
@testable import WebSites

/// Test plumbing for the forum, code and wiki sites: serves one site on a free local port over a
/// database that `reset()` restores from a pristine seeded copy, and runs task configs.
final class SiteUnderTest: @unchecked Sendable {
    let name: String
    let baseURL: String
    private let live: DatabaseQueue
    private let pristine: DatabaseQueue
    private let server: Task<Void, Error>

    init(name: String, baseURL: String, live: DatabaseQueue, pristine: DatabaseQueue, server: Task<Void, Error>) {
        self.name = name; self.baseURL = baseURL; self.live = live; self.pristine = pristine; self.server = server
    }

    static func start(
        name: String, seed: UInt64 = 1,
        prepare: @escaping @Sendable (Database, UInt64) throws -> Void,
        addRoutes: @escaping @Sendable (Router<BasicRequestContext>, any DatabaseWriter) -> Void
    ) async throws -> SiteUnderTest {
        let pristine = try DatabaseQueue()
        try await pristine.write { try prepare($0, seed) }
        let live = try DatabaseQueue()
        try pristine.backup(to: live)
        let router = Router()
        addRoutes(router, live)
        let (portStream, portContinuation) = AsyncStream<Int>.makeStream()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) })
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = portStream.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else { throw HTTPError.connectionFailed(url: "127.0.0.1", message: "\(name) did not start") }
        return SiteUnderTest(name: name, baseURL: "http://127.0.0.1:\(port)", live: live, pristine: pristine, server: server)
    }

    /// Restores the seeded content (what a task's `require_reset` asks for).
    func reset() throws { try pristine.backup(to: live) }

    func read<T>(_ body: (Database) throws -> T) throws -> T { try live.read(body) }

    func shutdown() { server.cancel() }

    func url(_ path: String) -> String { path.hasPrefix("http") ? path : baseURL + path }
}

/// A browser-less client for walking the sites in tests: GETs and form POSTs with cookies.
struct SiteClient {
    let site: SiteUnderTest
    let http = HTTPClient()

    func get(_ path: String) async throws -> HTTPTransport.HTTPResponse {
        try await http.send(HTTPTransport.HTTPRequest(url: site.url(path)))
    }

    func post(_ path: String, _ fields: [String: String]) async throws -> HTTPTransport.HTTPResponse {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = fields.sorted { $0.key < $1.key }.map {
            "\($0.key.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)"
        }.joined(separator: "&")
        return try await http.send(HTTPTransport.HTTPRequest(method: .post, url: site.url(path),
                                               headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                               body: Data(body.utf8)))
    }
}
