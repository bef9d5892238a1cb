import Foundation
import GRDB
import HTTPServer

public enum SiteClusterError: Error, CustomStringConvertible, Sendable {
    case unknownSite(SiteName)
    case notStarted(SiteName, instance: Int)
    case serverFailed(SiteName, port: Int, message: String)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .unknownSite(let s): return "site '\(s)' is not built into this binary yet"
        case .notStarted(let s, let i): return "site '\(s)' instance \(i) is not running in this cluster"
        case .serverFailed(let s, let p, let m): return "site '\(s)' could not listen on 127.0.0.1:\(p): \(m)"
        case .invalidArgument(let m): return m
        }
    }
}

/// Several isolated instances of the bundled sites, each on its own loopback port with its own
/// copy of the seeded database.
///
/// ```swift
/// let cluster = try await SiteCluster.start(sites: [.shop, .admin], instances: 2, dataDirectory: dir)
/// let shop = await cluster.baseURL(.shop, instance: 1)   // http://127.0.0.1:PORT
/// try await cluster.reset(.shop, instance: 1)            // pristine again, server keeps running
/// await cluster.shutdown()
/// ```
///
/// Ports: with `basePort` the instance `i` of the `k`-th site listens on `basePort + i * sites.count + k`;
/// without it every server gets a free port. The pristine database of each (database, seed, schema
/// version) is built once under `dataDirectory/pristine/` and reused by later starts.
public actor SiteCluster {
    struct Server {
        let site: SiteName
        let instance: Int
        let port: Int
        let sessions: SessionStore
        let listener: SiteListener
    }

    struct LiveDatabase {
        let queue: DatabaseQueue
        let url: URL
        let pristine: DatabaseQueue
    }

    public nonisolated let seed: UInt64
    public nonisolated let dataDirectory: URL
    public nonisolated let sites: [SiteName]
    public nonisolated let instances: Int
    /// Secret of this process's control routes: `POST /__nnetnav/reset` answers only loopback peers
    /// that send it in `SiteControlToken.header`, so a page (or a model-issued goto) cannot reset the
    /// sites behind a crawl's back. Written to `SiteControlToken.file(in: dataDirectory)` (mode 0600)
    /// for `nnetnav env reset`.
    public nonisolated let controlToken: String
    private let definitions: [SiteName: SiteDefinition]
    private var servers: [String: Server] = [:]
    private var databases: [String: LiveDatabase] = [:]

    private init(definitions: [SiteDefinition], instances: Int, dataDirectory: URL, seed: UInt64) {
        self.definitions = Dictionary(uniqueKeysWithValues: definitions.map { ($0.name, $0) })
        self.sites = definitions.map(\.name)
        self.instances = instances
        self.dataDirectory = dataDirectory
        self.seed = seed
        self.controlToken = SiteControlToken.generate()
    }

    /// Starts the named built-in sites (see `SiteCatalog`).
    public static func start(sites: [SiteName], instances: Int = 1, basePort: Int? = nil,
                             dataDirectory: URL, seed: UInt64 = 0) async throws -> SiteCluster {
        let definitions = try sites.map { name -> SiteDefinition in
            guard let d = SiteCatalog.definition(name) else { throw SiteClusterError.unknownSite(name) }
            return d
        }
        return try await start(definitions: definitions, instances: instances, basePort: basePort,
                               dataDirectory: dataDirectory, seed: seed)
    }

    /// Starts explicit site definitions (tests may pass their own).
    public static func start(definitions: [SiteDefinition], instances: Int = 1, basePort: Int? = nil,
                             dataDirectory: URL, seed: UInt64 = 0) async throws -> SiteCluster {
        guard instances >= 1 else { throw SiteClusterError.invalidArgument("instances must be at least 1") }
        guard !definitions.isEmpty else { throw SiteClusterError.invalidArgument("no sites to start") }
        guard Set(definitions.map(\.name)).count == definitions.count else {
            throw SiteClusterError.invalidArgument("a site is listed twice")
        }
        let cluster = SiteCluster(definitions: definitions, instances: instances,
                                  dataDirectory: dataDirectory, seed: seed)
        do {
            try await cluster.launch(basePort: basePort)
        } catch {
            await cluster.shutdown()
            throw error
        }
        return cluster
    }

    // MARK: - Queries

    /// `http://127.0.0.1:PORT` of one site instance (no trailing slash); "" when not running.
    public func baseURL(_ site: SiteName, instance: Int = 0) -> String {
        guard let s = servers[Self.key(site, instance)] else { return "" }
        return "http://127.0.0.1:\(s.port)"
    }

    /// Base URLs of every site of one instance, for substituting `__SHOP__`-style placeholders.
    public func baseURLs(instance: Int = 0) -> [SiteName: String] {
        Dictionary(uniqueKeysWithValues: sites.map { ($0, baseURL($0, instance: instance)) })
    }

    /// The live SQLite file of one site instance (shop and admin return the same file).
    public func databaseURL(_ site: SiteName, instance: Int = 0) throws -> URL {
        guard let d = definitions[site], let live = databases[Self.key(d.database, instance)] else {
            throw SiteClusterError.notStarted(site, instance: instance)
        }
        return live.url
    }

    /// The live database connection of one site instance, for in-process evaluators.
    public func database(_ site: SiteName, instance: Int = 0) throws -> DatabaseQueue {
        guard let d = definitions[site], let live = databases[Self.key(d.database, instance)] else {
            throw SiteClusterError.notStarted(site, instance: instance)
        }
        return live.queue
    }

    /// Every live database of one instance by site, for evaluators.
    public func databases(instance: Int = 0) -> [SiteName: DatabaseQueue] {
        var out: [SiteName: DatabaseQueue] = [:]
        for (name, d) in definitions {
            if let live = databases[Self.key(d.database, instance)] { out[name] = live.queue }
        }
        return out
    }

    // MARK: - Reset

    /// Restores the site's database to its pristine seeded state in place (SQLite online backup,
    /// well under a second) and logs everyone out. Sites sharing the database are reset together.
    public func reset(_ site: SiteName, instance: Int = 0) async throws {
        guard let d = definitions[site], let live = databases[Self.key(d.database, instance)] else {
            throw SiteClusterError.notStarted(site, instance: instance)
        }
        try live.pristine.backup(to: live.queue)
        for other in definitions.values where other.database == d.database {
            servers[Self.key(other.name, instance)]?.sessions.removeAll()
        }
    }

    /// Resets every site of every instance.
    public func resetAll() async throws {
        for instance in 0..<instances {
            for site in sites { try await reset(site, instance: instance) }
        }
    }

    /// Stops every server; the live databases stay on disk until the next start overwrites them.
    public func shutdown() async {
        let listeners = servers.values.map(\.listener)
        servers.removeAll()
        await withTaskGroup(of: Void.self) { group in
            for listener in listeners { group.addTask { await listener.stop() } }
        }
    }

    // MARK: - Start-up

    private static func key(_ name: SiteName, _ instance: Int) -> String { "\(name.rawValue)#\(instance)" }
    private static func key(_ database: String, _ instance: Int) -> String { "db:\(database)#\(instance)" }

    private func launch(basePort: Int?) async throws {
        let fm = FileManager.default
        try fm.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        try SiteControlToken.write(controlToken, to: SiteControlToken.file(in: dataDirectory))

        // One pristine file per database, built once and cached.
        var pristine: [String: DatabaseQueue] = [:]
        for d in sites.compactMap({ definitions[$0] }) where pristine[d.database] == nil {
            let version = definitions.values.filter { $0.database == d.database }.map(\.schemaVersion).max()!
            let file = try PristineDatabase.ensure(database: d.database, schemaVersion: version, seed: seed,
                                                   in: dataDirectory, populate: d.populate)
            var config = Configuration()
            config.readonly = true
            pristine[d.database] = try DatabaseQueue(path: file.path, configuration: config)
        }

        // Every server listens first, so every site knows its peers' URLs before its router is built.
        var listeners: [String: SiteListener] = [:]
        for instance in 0..<instances {
            for (k, site) in sites.enumerated() {
                let port = basePort.map { $0 + instance * sites.count + k } ?? 0
                do {
                    listeners[Self.key(site, instance)] = try await SiteListener.listen(site: site, port: port)
                } catch {
                    for listener in listeners.values { await listener.stop() }
                    throw error
                }
            }
        }
        let ports = listeners.mapValues(\.port)
        do {
            for instance in 0..<instances {
                let folder = dataDirectory.appendingPathComponent("instance-\(instance)", isDirectory: true)
                try fm.createDirectory(at: folder, withIntermediateDirectories: true)
                for (name, source) in pristine {
                    let url = folder.appendingPathComponent("\(name).sqlite")
                    let live = try DatabaseQueue(path: url.path)
                    try source.backup(to: live)
                    databases[Self.key(name, instance)] = LiveDatabase(queue: live, url: url, pristine: source)
                }
                var peers: [SiteName: String] = [:]
                for site in sites { peers[site] = "http://127.0.0.1:\(ports[Self.key(site, instance)]!)" }

                for site in sites {
                    let d = definitions[site]!
                    let port = ports[Self.key(site, instance)]!
                    let sessions = SessionStore(cookieName: "nn_\(site.rawValue)_\(port)")
                    let context = SiteContext(site: site, instance: instance,
                                              database: databases[Self.key(d.database, instance)]!.queue,
                                              baseURL: peers[site]!, sessions: sessions, peers: peers, seed: seed)
                    let router = try d.makeRouter(context)
                    addControlRoutes(to: router, site: site, instance: instance)
                    let listener = listeners[Self.key(site, instance)]!
                    listener.install(EarlyResponseResponder(inner: router.buildResponder(), siteTitle: d.title))
                    servers[Self.key(site, instance)] = Server(site: site, instance: instance, port: port,
                                                              sessions: sessions, listener: listener)
                }
            }
        } catch {
            // Servers already in `servers` stop with the cluster; the others stop here.
            for (key, listener) in listeners where servers[key] == nil { await listener.stop() }
            throw error
        }
    }

    /// The servers bind 127.0.0.1, but reset also checks the peer and the per-process token: any page
    /// the browser loads can make the browser POST to a loopback URL, and a form cannot add a header.
    private nonisolated func addControlRoutes(to router: Router<SiteRequestContext>, site: SiteName, instance: Int) {
        let token = controlToken
        router.post("/__nnetnav/reset") { [weak self] request, context -> Response in
            guard context.peerIsLoopback else { return .text("reset answers loopback clients only\n", status: .forbidden) }
            guard let sent = SiteControlToken.sent(in: request),
                  SiteControlToken.matches(sent, token) else {
                return .text("reset needs this server's control token in \(SiteControlToken.headerName)\n", status: .forbidden)
            }
            guard let self else { return .text("cluster stopped", status: .serviceUnavailable) }
            let started = Date()
            try await self.reset(site, instance: instance)
            return .text(String(format: "reset %@ instance %d in %.0f ms\n", site.rawValue, instance,
                                Date().timeIntervalSince(started) * 1000))
        }
        router.get("/__nnetnav/health") { _, _ -> Response in
            .text("ok \(site.rawValue) \(instance)\n")
        }
    }
}
