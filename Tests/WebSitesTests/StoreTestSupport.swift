import Foundation
import HTTPTransport
import WebSites

/// One shop+admin cluster shared by the store test classes (start-up builds the pristine file once).
actor StoreClusterFixture {
    static let shared = StoreClusterFixture()
    private var started: Task<SiteCluster, Error>?
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("nnetnav-store-tests-\(ProcessInfo.processInfo.processIdentifier)", isDirectory: true)

    func cluster() async throws -> SiteCluster {
        if started == nil {
            Self.removeLeftovers(besides: directory)
            let dir = directory
            started = Task { try await SiteCluster.start(sites: [.shop, .admin], instances: 2, dataDirectory: dir) }
        }
        return try await started!.value
    }
}

extension StoreClusterFixture {
    /// Data folders of earlier test processes that are no longer running.
    nonisolated static func removeLeftovers(besides current: URL) {
        let fm = FileManager.default
        let parent = current.deletingLastPathComponent()
        for name in (try? fm.contentsOfDirectory(atPath: parent.path)) ?? [] where name.hasPrefix("nnetnav-store-tests-") {
            guard let pid = Int32(name.dropFirst("nnetnav-store-tests-".count)), pid != getpid(), kill(pid, 0) != 0 else { continue }
            try? fm.removeItem(at: parent.appendingPathComponent(name))
        }
    }
}

/// A raw-HTTP client with cookies, for walking the sites without the browser.
struct WebClient {
    let http = HTTPClient(configuration: .init(timeout: 20, keepsCookies: true))
    let base: String

    func get(_ path: String) async throws -> HTTPResponse {
        try await http.send(HTTPRequest(url: base + path))
    }

    func post(_ path: String, _ fields: [(String, String)], headers: [(String, String)] = []) async throws -> HTTPResponse {
        let body = fields.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
        return try await http.send(HTTPRequest(method: .post, url: base + path,
                                               headers: [("Content-Type", "application/x-www-form-urlencoded")] + headers,
                                               body: Data(body.utf8)))
    }

    static func escape(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}
