import Foundation
import Pipeline
import WebBrowser

/// Test double: a browser over a small in-memory site graph, with observations in the WebArena
/// accessibility-tree text format. Not a browser; it exists so crawl tests are fast and deterministic.
final class StaticSiteEnvironment: BrowserEnvironment, @unchecked Sendable {
    struct Page {
        var title: String
        /// (link text, target path)
        var links: [(String, String)]
        var hasSearch = false
    }

    let pages: [String: Page]
    let host: String
    private let lock = NSLock()
    private var history: [String] = []
    private var current: Observation?
    private(set) var resets = 0

    init(host: String = "http://shop.test", pages: [String: Page]) {
        self.host = host
        self.pages = pages
    }

    /// A shop-like site: home, categories, products, cart; every page links onward.
    static func shop(host: String = "http://shop.test") -> StaticSiteEnvironment {
        StaticSiteEnvironment(host: host, pages: [
            "/": Page(title: "One Stop Market", links: [("Electronics", "/electronics"), ("Kitchen", "/kitchen"),
                                                        ("My Cart", "/cart")], hasSearch: true),
            "/electronics": Page(title: "Electronics", links: [("Headphones", "/p/headphones"), ("Camera", "/p/camera"),
                                                               ("Home", "/")]),
            "/kitchen": Page(title: "Kitchen", links: [("Kettle", "/p/kettle"), ("Spice rack", "/p/spices"), ("Home", "/")]),
            "/p/headphones": Page(title: "Headphones $59.99", links: [("Add to Cart", "/cart"), ("Reviews", "/p/headphones/reviews")]),
            "/p/camera": Page(title: "Camera $249.00", links: [("Add to Cart", "/cart"), ("Electronics", "/electronics")]),
            "/p/kettle": Page(title: "Kettle $19.99", links: [("Add to Cart", "/cart"), ("Kitchen", "/kitchen")]),
            "/p/spices": Page(title: "Spice rack $34.50", links: [("Add to Cart", "/cart"), ("Kitchen", "/kitchen")]),
            "/p/headphones/reviews": Page(title: "Headphones reviews", links: [("Headphones", "/p/headphones"), ("Home", "/")]),
            "/cart": Page(title: "Shopping Cart", links: [("Proceed to Checkout", "/checkout"), ("Home", "/")]),
            "/checkout": Page(title: "Checkout", links: [("Place Order", "/order"), ("My Cart", "/cart")]),
            "/order": Page(title: "Order placed", links: [("Home", "/")]),
            "/search": Page(title: "Search results", links: [("Kettle", "/p/kettle"), ("Home", "/")]),
        ])
    }

    func observation(path: String, error: String? = nil) -> Observation {
        let page = pages[path] ?? Page(title: "Not found", links: [("Home", "/")])
        var lines = ["Tab 0 (current): \(page.title)", "", "[1] RootWebArea '\(page.title)' focused: True"]
        for (i, link) in page.links.enumerated() { lines.append("\t[\(10 + i)] link '\(link.0)'") }
        if page.hasSearch { lines.append("\t[30] searchbox 'Search'") }
        lines.append("\t[40] StaticText 'Welcome to \(page.title)'")
        return Observation(text: lines.joined(separator: "\n"), url: host + path, title: page.title,
                           tabs: [.init(title: page.title, url: host + path)], activeTab: 0, error: error)
    }

    func reset(startURL: String) async throws -> Observation {
        lock.withLock {
            resets += 1
            let path = startURL.hasPrefix(host) ? String(startURL.dropFirst(host.count)) : "/"
            history = [path.isEmpty ? "/" : path]
            current = observation(path: history[0])
            return current!
        }
    }

    func step(_ action: BrowserAction) async throws -> Observation {
        lock.withLock {
            let path = history.last ?? "/"
            let page = pages[path]!
            var next = path
            var error: String?
            switch action {
            case .click(let id):
                if id >= 10, id - 10 < page.links.count { next = page.links[id - 10].1 } else {
                    error = "Attempt to perfom \"click\" on element \"[\(id)]\" but no matching element found."
                }
            case .type(let id, _, _):
                if id == 30 && page.hasSearch { next = "/search" } else { error = "no text field [\(id)]" }
            case .goBack:
                if history.count > 1 { history.removeLast(); next = history.last! }
            case .scroll: break
            default: error = "unsupported in the static test site: \(action)"
            }
            if next != path { history.append(next) }
            current = observation(path: next, error: error)
            return current!
        }
    }

    func describe(_ action: BrowserAction) -> String {
        lock.withLock {
            guard let id = action.elementID, let text = current?.text,
                  let line = text.split(separator: "\n").first(where: { $0.contains("[\(id)] ") }) else {
                return action.description
            }
            let node = line.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 1).last.map(String.init) ?? ""
            return "\(action) where [\(id)] is \(node)"
        }
    }

    func currentHTML() async -> String? { nil }
}

/// Test double pool: one `StaticSiteEnvironment` per instance; resets are counted.
final class StaticSitePool: EnvironmentPool, @unchecked Sendable {
    let environments: [StaticSiteEnvironment]
    private let lock = NSLock()
    private(set) var siteResets: [String] = []

    init(instances: Int) { environments = (0..<instances).map { _ in .shop() } }

    var instanceCount: Int { environments.count }
    func environment(instance: Int) async throws -> any BrowserEnvironment { environments[instance] }
    func startURL(site: String, instance: Int, episode: Int) async throws -> String { environments[instance].host + "/" }
    func resetSite(_ site: String, instance: Int) async throws { lock.withLock { siteResets.append("\(site)#\(instance)") } }
}
