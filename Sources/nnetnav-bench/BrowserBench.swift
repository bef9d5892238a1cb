import ArgumentParser
import Foundation
import HTTPTransport
import HTTPServer
import NNetnavSupport
import WebBrowser
import WebSites

/// Observation speed: HTTP on loopback + HTML parse + accessibility tree + WebArena text, for a
/// generated ~200 KB shop page, next to headless Chromium doing the same page over the DevTools
/// protocol (scripts/bench/chromium_axtree.py) when Chromium is installed.
struct BrowserBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "browser",
        abstract: "Time observations of a ~200 KB page (fetch + parse + tree + text) against headless Chromium.",
        discussion: """
        Serves a generated product-listing page on 127.0.0.1, then times N full observations through \
        BrowserSession (one core: observations run one after another). Prints median and p90 per phase \
        and pages per second. If `chromium` is on PATH, runs scripts/bench/chromium_axtree.py to time \
        Page.navigate + Accessibility.getFullAXTree on the same URL and prints both side by side.
        """)

    @Option(help: "Number of timed observations.")
    var iterations = 200

    @Option(help: "Approximate page size in kilobytes.")
    var kilobytes = 200

    @Flag(help: "Skip the Chromium yardstick.")
    var noChromium = false

    @Option(help: "Also write the generated page to this file (to time other tools on the same bytes).")
    var savePage: String?

    func run() async throws {
        let html = ShopPageGenerator.page(targetBytes: kilobytes * 1024)
        if let savePage { try html.write(toFile: savePage, atomically: true, encoding: .utf8) }
        let router = Router()
        router.get("/") { _, _ -> Response in
            var response = Response(status: .ok, body: ResponseBody(string: html))
            response.headers[.contentType] = "text/html; charset=utf-8"
            return response
        }
        try await LoopbackHTTPServer.with(router: router, label: "bench-site") { port in
            try await measure(url: "http://127.0.0.1:\(port)/", pageBytes: html.utf8.count)
        }
    }

    private func measure(url: String, pageBytes: Int) async throws {
        let session = BrowserSession(configuration: BrowserConfiguration(allowedURLPrefixes: [url], viewportLines: 60))
        let first = try await session.reset(startURL: url)
        if let error = first.error { throw ValidationError("page did not load: \(error)") }
        let tree = session.accessibilityTree
        let client = HTTPClient()
        print("page: \(pageBytes / 1024) KB, \(tree.document.nodeCount) DOM nodes, \(tree.nodes.count) accessibility nodes, " +
              "\(ObservationRenderer.render(tree).lines.count) printed lines (\(first.viewportCount) viewports of 60)")

        var fetch: [Double] = [], parse: [Double] = [], build: [Double] = [], render: [Double] = [], total: [Double] = []
        var session2: [Double] = []
        let bar = ProgressBar(label: "observations", total: iterations, unit: "obs")
        for i in 0..<iterations {
            // Phase by phase, with the same code paths the session uses.
            let t0 = DispatchTime.now().uptimeNanoseconds
            let response = try client.sendBlocking(HTTPTransport.HTTPRequest(url: url))
            let t1 = DispatchTime.now().uptimeNanoseconds
            let document = HTMLDocument.parse(response.body, url: url, encoding: "utf-8")
            let t2 = DispatchTime.now().uptimeNanoseconds
            let built = AccessibilityTree.build(from: document)
            let t3 = DispatchTime.now().uptimeNanoseconds
            let text = ObservationRenderer.render(built).text(window: 0, size: 60)
            let t4 = DispatchTime.now().uptimeNanoseconds
            precondition(!text.isEmpty)
            fetch.append(Double(t1 - t0) / 1e6)
            parse.append(Double(t2 - t1) / 1e6)
            build.append(Double(t3 - t2) / 1e6)
            render.append(Double(t4 - t3) / 1e6)
            total.append(Double(t4 - t0) / 1e6)
            // And end to end through BrowserSession.goto, as an agent step.
            let s0 = DispatchTime.now().uptimeNanoseconds
            let observation = try await session.step(.goto(url: url))
            session2.append(Double(DispatchTime.now().uptimeNanoseconds - s0) / 1e6)
            precondition(observation.error == nil)
            _ = i
            bar.advance()
        }
        bar.finish()
        func row(_ name: String, _ values: [Double]) {
            // The minimum is the figure least disturbed by other work on a shared machine.
            print(String(format: "  %-28@ median %7.2f ms   p90 %7.2f ms   min %7.2f ms", name as NSString,
                         percentile(values, 0.5), percentile(values, 0.9), values.min() ?? 0))
        }
        print("native browser (\(iterations) observations, one core):")
        row("fetch (HTTP loopback)", fetch)
        row("parse (libxml2 -> DOM)", parse)
        row("accessibility tree", build)
        row("render text", render)
        row("observation total", total)
        row("BrowserSession goto step", session2)
        print(String(format: "  pages/s (observation total):  %.0f", 1000 / percentile(total, 0.5)))

        guard !noChromium else { return }
        guard let chromium = which("chromium") ?? which("chromium-browser") else {
            print("chromium: not installed here (apt-get install chromium), yardstick skipped")
            return
        }
        let script = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            .appendingPathComponent("scripts/bench/chromium_axtree.py")
        guard FileManager.default.fileExists(atPath: script.path) else {
            print("chromium: \(script.path) missing, yardstick skipped")
            return
        }
        let runs = min(iterations, 50)
        print("headless Chromium via DevTools (\(runs) observations: navigate + load + Accessibility.getFullAXTree):")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--chromium", chromium, "--url", url, "--iterations", "\(runs)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        // Read while it runs: the server must keep answering in this process meanwhile.
        let output = await Task.detached { () -> Data in
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return data
        }.value
        let text = String(decoding: output, as: UTF8.self)
        print(text.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("median_ms") }),
           let chromeMedian = Double(line.split(separator: " ").last ?? "") {
            print(String(format: "side by side (median): native %.2f ms vs Chromium %.2f ms -> %.0fx faster",
                         percentile(total, 0.5), chromeMedian, chromeMedian / percentile(total, 0.5)))
        }
    }

    private func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p + 0.5))]
    }

    private func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}

/// A realistic server-rendered product listing, like a Magento category page without scripts.
enum ShopPageGenerator {
    static func page(targetBytes: Int) -> String {
        var body = """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Electronics - One Stop Market</title>
        <link rel="stylesheet" href="/static/site.css"><style>.hidden{display:none}</style>
        <script>window.dataLayer = [];</script></head><body class="catalog-category-view">
        <header class="page-header"><div class="panel header"><ul class="header links">
        <li><a href="/customer/account/">My Account</a></li><li><a href="/wishlist/">My Wish List</a></li>
        <li><a href="/customer/account/login/">Sign In</a></li><li><a href="/customer/account/create/">Create an Account</a></li></ul></div>
        <a class="logo" href="/"><img src="/logo.svg" alt="One Stop Market"></a>
        <form class="form minisearch" action="/catalogsearch/result/" method="get"><label for="search">Search</label>
        <input id="search" type="text" name="q" placeholder="Search entire store here..." autocomplete="off" required>
        <button type="submit" title="Search" class="action search" disabled><span>Search</span></button></form>
        <nav class="navigation"><ul>
        """
        let categories = ["Beauty & Personal Care", "Sports & Outdoors", "Clothing, Shoes & Jewelry", "Home & Kitchen",
                          "Office Products", "Tools & Home Improvement", "Health & Household", "Patio, Lawn & Garden",
                          "Electronics", "Cell Phones & Accessories", "Video Games", "Grocery & Gourmet Food"]
        for (i, c) in categories.enumerated() {
            body += "<li class=\"level0\"><a href=\"/category-\(i).html\"><span>\(c.replacingOccurrences(of: "&", with: "&amp;"))</span></a>"
            body += "<ul class=\"submenu\" style=\"display:none\"><li><a href=\"/category-\(i)/sub.html\">All \(i)</a></li></ul></li>"
        }
        body += """
        </ul></nav></header><main id="maincontent" class="page-main"><div class="columns"><div class="column main">
        <h1 class="page-title"><span>Electronics</span></h1>
        <div class="toolbar"><p class="toolbar-amount">Items 1-24 of 2,871</p>
        <label for="sorter">Sort By</label><select id="sorter" class="sorter-options"><option value="position">Position</option>
        <option value="name">Product Name</option><option value="price" selected>Price</option></select>
        <label for="limiter">Show</label><select id="limiter"><option>12</option><option selected>24</option><option>36</option></select></div>
        <ol class="products list items product-items">
        """
        let adjectives = ["Wireless", "Portable", "Bluetooth", "Rechargeable", "Smart", "Compact", "Waterproof", "Ultra-Slim"]
        let nouns = ["Headphones", "Speaker", "Charger", "Keyboard", "Mouse", "Webcam", "Power Bank", "Smart Watch", "Router"]
        var i = 0
        var footer = """
        </ol></div><aside class="sidebar"><div class="block filter"><strong>Shop By</strong>
        <form action="/electronics.html" method="get"><fieldset><legend>Price</legend>
        <label><input type="checkbox" name="price" value="0-10"> $0.00 - $9.99</label>
        <label><input type="checkbox" name="price" value="10-20" checked> $10.00 - $19.99</label>
        <label><input type="checkbox" name="price" value="20-"> $20.00 and above</label></fieldset>
        <button type="submit">Apply filters</button></form></div></aside></div></main>
        <footer class="page-footer"><ul><li><a href="/privacy">Privacy and Cookie Policy</a></li>
        <li><a href="/search-terms">Search Terms</a></li><li><a href="/contact">Contact Us</a></li></ul>
        <form action="/newsletter/subscriber/new/" method="post"><label for="newsletter">Sign Up for Our Newsletter:</label>
        <input id="newsletter" type="email" name="email" placeholder="Enter your email address"><button>Subscribe</button></form>
        <small class="copyright">Copyright &copy; 2013-present Magento, Inc. All rights reserved.</small></footer>
        <script>require(['jquery'], function ($) { $('.x').hide(); });</script></body></html>
        """
        while body.utf8.count + footer.utf8.count < targetBytes {
            let name = "\(adjectives[i % adjectives.count]) \(nouns[(i / 3) % nouns.count]) Model \(1000 + i * 7)"
            let price = String(format: "%.2f", 9.99 + Double((i * 37) % 500) / 3)
            body += """
            <li class="item product product-item"><div class="product-item-info" data-container="product-grid">
            <a href="/product-\(i).html" class="product photo product-item-photo" tabindex="-1">
            <span class="product-image-container"><img class="product-image-photo" src="/media/catalog/\(i).jpg" alt="\(name)" width="240" height="300"></span></a>
            <div class="product details product-item-details"><strong class="product name product-item-name">
            <a class="product-item-link" href="/product-\(i).html">\(name)</a></strong>
            <div class="product-reviews-summary short"><div class="rating-summary"><span class="label"><span>Rating:</span></span>
            <div class="rating-result" title="\(60 + i % 40)%"><span style="width:\(60 + i % 40)%"><span>\(60 + i % 40)%</span></span></div></div>
            <div class="reviews-actions"><a class="action view" href="/product-\(i).html#reviews">\(i % 17 + 1)&nbsp;<span>Reviews</span></a></div></div>
            <div class="price-box price-final_price"><span class="price-container"><span class="price-wrapper"><span class="price">$\(price)</span></span></span></div>
            <div class="product-item-inner"><div class="product actions product-item-actions"><div class="actions-primary">
            <form data-role="tocart-form" action="/checkout/cart/add/product/\(i)/" method="post">
            <input type="hidden" name="product" value="\(i)"><input type="hidden" name="form_key" value="k3yk3yk3y">
            <button type="submit" title="Add to Cart" class="action tocart primary"><span>Add to Cart</span></button></form></div>
            <div data-role="add-to-links" class="actions-secondary"><a href="#" class="action towishlist" title="Add to Wish List" role="button"><span>Add to Wish List</span></a>
            <a href="#" class="action tocompare" title="Add to Compare" role="button"><span>Add to Compare</span></a></div></div></div></div></div></li>

            """
            i += 1
        }
        footer = footer.replacingOccurrences(of: "Items 1-24", with: "Items 1-\(i)")
        return body + footer
    }
}
