import ArgumentParser
import ChromiumBrowser
import Foundation
import NNetnavSupport
import WebBrowser

/// Observation latency of the native browser and of headless Chromium on the same pages,
/// side by side, with how well their trees agree on roles and names.
struct ChromiumBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backends",
        abstract: "Observation latency of the native and Chromium browsers on the same pages.",
        discussion: """
        For each page: `load` is reset(startURL:) (fetch, parse or run the page, observe), `observe` is \
        observing the loaded page again (native: rebuild the tree and render; Chromium: mark ids, \
        DOMSnapshot, Accessibility.getFullAXTree, render). Medians over --repeat runs. Without --url, \
        built-in sample pages (article, form, a 300-row table) are written to a temporary folder; pass \
        the bundled sites' URLs (e.g. from `nnetnav env serve`) with --url to measure them.
        """)

    @Option(name: .customLong("url"), help: "A page to measure (repeatable). Default: built-in sample pages.")
    var urls: [String] = []

    @Option(help: "Measurements per page and backend.")
    var `repeat` = 5

    func run() async throws {
        guard ChromiumBrowser.isInstalled else {
            throw ValidationError("Chromium is not installed: apt-get install -y chromium (or set CHROMIUM_PATH)")
        }
        let pages = urls.isEmpty ? try SamplePages.write() : urls
        var chromiumConfiguration = ChromiumBrowser.Configuration()
        chromiumConfiguration.viewportOnly = false
        let browser = try await ChromiumBrowser.launch(chromiumConfiguration)
        defer { browser.close() }
        let version = try await browser.version()
        let chromium = browser.makeEnvironment()
        let native = BrowserSession(configuration: BrowserConfiguration(allowFileURLs: true, viewportLines: 0))

        print("native browser vs \(version), \(self.repeat) runs per page, median milliseconds")
        let progress = ProgressBar(label: "pages", total: pages.count, unit: "page")
        var rows: [[String]] = []
        var stalled: [String] = []
        var loadRatios: [Double] = [], observeRatios: [Double] = []
        for url in pages {
            var nativeLoad: [Double] = [], chromiumLoad: [Double] = []
            var nativeObserve: [Double] = [], chromiumObserve: [Double] = []
            var nativeText = "", chromiumText = ""
            var stall: String?
            for _ in 0..<self.repeat {
                nativeLoad.append(try await Self.milliseconds { nativeText = try await native.reset(startURL: url).text })
                // A page that stalls Chromium is reported with its time and the run goes on
                // (the environment has already replaced the stuck tab).
                let start = DispatchTime.now().uptimeNanoseconds
                do {
                    chromiumLoad.append(try await Self.milliseconds { chromiumText = try await chromium.reset(startURL: url).text })
                    nativeObserve.append(try await Self.milliseconds { _ = native.observation })
                    chromiumObserve.append(try await Self.milliseconds { _ = try await chromium.observe() })
                } catch {
                    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                    stall = String(format: "Chromium stalled after %.1f s: %@", seconds, "\(error)")
                    break
                }
            }
            if let stall {
                stalled.append("\(Self.shortName(url)): \(stall)")
                rows.append([Self.shortName(url), "\(ObservationAgreement.entries(nativeText).count)", "-",
                             String(format: "%.1f", Self.median(nativeLoad)), "stalled", "-", "-", "-"])
                progress.advance()
                continue
            }
            let agreement = ObservationAgreement(nativeText, chromiumText)
            let medians = [nativeLoad, chromiumLoad, nativeObserve, chromiumObserve].map(Self.median)
            loadRatios.append(medians[1] / max(medians[0], 0.001))
            observeRatios.append(medians[3] / max(medians[2], 0.001))
            rows.append([Self.shortName(url), "\(ObservationAgreement.entries(nativeText).count)",
                         "\(ObservationAgreement.entries(chromiumText).count)"]
                        + medians.map { String(format: "%.1f", $0) } + [String(format: "%.1f%%", agreement.rate * 100)])
            progress.advance()
        }
        progress.finish()
        await chromium.close()

        let header = ["page", "lines nat", "lines chr", "load nat", "load chr", "observe nat", "observe chr", "agree"]
        Self.printTable([header] + rows)
        print(String(format: "Chromium/native: load %.1fx, observe %.1fx (geometric means)",
                     Self.geometricMean(loadRatios), Self.geometricMean(observeRatios)))
        for line in stalled { print("stalled: " + line) }
    }

    static func milliseconds(_ body: () async throws -> Void) async throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try await body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func geometricMean(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        return exp(values.map { log(max($0, 1e-9)) }.reduce(0, +) / Double(values.count))
    }

    static func shortName(_ url: String) -> String {
        let name = url.hasPrefix("file://") ? String(url.split(separator: "/").last ?? "") : url
        return name.count > 48 ? String(name.prefix(45)) + "..." : name
    }

    static func printTable(_ rows: [[String]]) {
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            let cells = row.enumerated().map { column, cell in
                column == 0 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }
            print(cells.joined(separator: "  "))
        }
    }
}

/// Static pages for the benchmark when no URL is given: no JavaScript, so both backends see them.
enum SamplePages {
    static func write() throws -> [String] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-bench-pages")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let rows = (1...300).map { i in
            "<tr><td><a href=\"/order/\(i)\">#\(String(format: "%09d", 170 + i))</a></td><td>\(i % 12 + 1)/\(i % 28 + 1)/23</td>"
                + "<td>$\(String(format: "%.2f", Double(i) * 13.37))</td><td><button>View</button></td></tr>"
        }.joined()
        let paragraphs = (1...40).map { "<p>Paragraph \($0) of the article, with a <a href=\"/wiki/Link_\($0)\">link \($0)</a> inside.</p>" }
            .joined()
        let pages = [
            ("article.html", "<!doctype html><title>Article</title><nav><a href=/>Home</a><a href=/random>Random</a></nav>"
                + "<h1>Pittsburgh</h1>\(paragraphs)"),
            ("form.html", """
            <!doctype html><title>Checkout</title><h1>Checkout</h1><form>
            <label for=a>Name</label><input id=a><label for=b>Street</label><input id=b>
            <label for=c>Country</label><select id=c><option>Canada</option><option>France</option></select>
            <label><input type=checkbox> Gift wrap</label><textarea aria-label=Notes></textarea><button>Place order</button></form>
            """),
            ("orders.html", "<!doctype html><title>Orders</title><h1>Orders</h1><table><tr><th>Order</th><th>Date</th>"
                + "<th>Total</th><th>Action</th></tr>\(rows)</table>"),
        ]
        return try pages.map { name, html in
            let file = dir.appendingPathComponent(name)
            try html.write(to: file, atomically: true, encoding: .utf8)
            return file.absoluteString
        }
    }
}
