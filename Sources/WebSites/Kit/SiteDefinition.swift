import Foundation
import GRDB
import HTTPServer

/// The request context every bundled site's router uses: the basic one plus whether the peer is
/// on loopback, which the kit's control routes (reset) require.
public struct SiteRequestContext: RequestContext {
    public var parameters = Parameters()
    /// The peer's IP address as text ("127.0.0.1", "::1"); nil when unknown (e.g. a Unix socket).
    public let peerAddress: String?

    public init(connection: ConnectionInfo) {
        peerAddress = connection.remoteAddress
    }

    /// True only for 127.0.0.0/8 and ::1 (and IPv4-mapped loopback).
    public var peerIsLoopback: Bool { Self.isLoopback(peerAddress) }

    public static func isLoopback(_ address: String?) -> Bool {
        guard let a = address?.lowercased() else { return false }
        return a.hasPrefix("127.") || a == "::1" || a.hasPrefix("::ffff:127.")
    }
}

/// What a site is: its name, how to create and seed its database, and how to build its router.
///
/// Sites that are faces of one application (the shop and its admin) name the same `database`
/// and carry the same `populate`: the cluster seeds that database once per instance and both
/// sites' routers read and write it.
public struct SiteDefinition: Sendable {
    public let name: SiteName
    /// File stem of the database this site lives in (`"store"` for shop and admin).
    public let database: String
    /// Bump when the schema or seed generator changes: it is part of the pristine cache key.
    public let schemaVersion: Int
    /// Creates the schema and inserts the seed data; must depend only on `seed`.
    public let populate: @Sendable (_ db: Database, _ seed: UInt64) throws -> Void
    /// Builds the site's routes. The kit adds the `/__nnetnav/...` control routes afterwards.
    public let makeRouter: @Sendable (SiteContext) throws -> Router<SiteRequestContext>
    /// Shown in the kit's error pages (unknown URLs); defaults to the site's name.
    public let title: String

    public init(name: SiteName, database: String? = nil, schemaVersion: Int, title: String? = nil,
                populate: @escaping @Sendable (_ db: Database, _ seed: UInt64) throws -> Void,
                makeRouter: @escaping @Sendable (SiteContext) throws -> Router<SiteRequestContext>) {
        self.name = name
        self.database = database ?? name.rawValue
        self.schemaVersion = schemaVersion
        self.populate = populate
        self.makeRouter = makeRouter
        self.title = title ?? name.rawValue
    }
}

/// Everything a running site instance gets: its live database, its URL, its session store,
/// and the URLs of the other sites of the same instance (for cross-site links).
public struct SiteContext: Sendable {
    public let site: SiteName
    public let instance: Int
    /// The live database of this instance; reset replaces its content in place.
    public let database: DatabaseQueue
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    public let baseURL: String
    public let sessions: SessionStore
    /// Base URLs of the sites started in the same instance, by name.
    public let peers: [SiteName: String]
    /// Seed the instance was built from (sites may show it on an "about" page).
    public let seed: UInt64

    public init(site: SiteName, instance: Int, database: DatabaseQueue, baseURL: String,
                sessions: SessionStore, peers: [SiteName: String], seed: UInt64) {
        self.site = site
        self.instance = instance
        self.database = database
        self.baseURL = baseURL
        self.sessions = sessions
        self.peers = peers
        self.seed = seed
    }
}
