import Foundation
import GRDB
import HTTPTransport
import NNetnavSupport
import WebTasks
import XCTest
@testable import WebSites

/// Test plumbing for the forum, code and wiki sites: one site served by the kit's `SiteCluster`
/// on a free port, seed 0 (what the task sets assume), with in-place reset.
final class SiteUnderTest: @unchecked Sendable {
    let name: SiteName
    let baseURL: String
    let cluster: SiteCluster
    private let directory: URL

    private init(name: SiteName, baseURL: String, cluster: SiteCluster, directory: URL) {
        self.name = name; self.baseURL = baseURL; self.cluster = cluster; self.directory = directory
    }

    static func start(_ definition: SiteDefinition) async throws -> SiteUnderTest {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-\(definition.name)-\(UUID().uuidString)")
        let cluster = try await SiteCluster.start(definitions: [definition], dataDirectory: directory, seed: 0)
        return SiteUnderTest(name: definition.name, baseURL: await cluster.baseURL(definition.name), cluster: cluster,
                             directory: directory)
    }

    /// Starts a site from a synchronous `class func setUp`.
    static func startBlocking(_ definition: SiteDefinition) -> SiteUnderTest {
        let box = LockedBox<Result<SiteUnderTest, Error>>()
        let ready = DispatchSemaphore(value: 0)
        Task {
            do { box.value = .success(try await start(definition)) } catch { box.value = .failure(error) }
            ready.signal()
        }
        ready.wait()
        return try! box.value!.get()
    }

    func reset() async throws { try await cluster.reset(name) }

    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        try await cluster.database(name).read(body)
    }

    func shutdown() {
        let cluster = cluster, directory = directory
        let done = DispatchSemaphore(value: 0)
        Task { await cluster.shutdown(); done.signal() }
        done.wait()
        try? FileManager.default.removeItem(at: directory)
    }

    func url(_ path: String) -> String { path.hasPrefix("http") ? path : baseURL + path }
}

final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T?
    var value: T? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}

/// A browser-less client for walking the sites in tests: GETs and form POSTs with cookies.
struct SiteClient {
    let site: SiteUnderTest
    let http = HTTPClient()

    func get(_ path: String) async throws -> HTTPTransport.HTTPResponse {
        try await http.send(HTTPTransport.HTTPRequest(url: site.url(path)))
    }

    func post(_ path: String, _ fields: [String: String]) async throws -> HTTPTransport.HTTPResponse {
        let body = fields.sorted { $0.key < $1.key }.map { "\(FormData.escape($0.key))=\(FormData.escape($0.value))" }
            .joined(separator: "&")
        return try await http.send(HTTPTransport.HTTPRequest(method: .post, url: site.url(path),
                                                             headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                                             body: Data(body.utf8)))
    }
}
