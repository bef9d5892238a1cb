import ArgumentParser
import ChromiumBrowser
import Foundation
import NNetnavSupport
import WebBrowser

/// Native vs Chromium role+name agreement on a corpus of saved real-world pages, the measure of
/// browser fidelity beyond the pages the project was tuned on (issue #17).
struct AgreementBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agreement",
        abstract: "Native vs Chromium role+name agreement on a folder of saved real-world pages.",
        discussion: """
        Pages are `DIR/<name>/source.html` (the layout of mozilla/readability's test pages, which \
        scripts/bench/fetch_pages.sh fetches) or `DIR/<name>.html`. They are served on loopback; \
        Chromium may load nothing else (a saved page's scripts, styles and images from the web are \
        refused, as the native browser never fetches them). Per page: lines of each observation, \
        the load time of each backend and the `ObservationAgreement` rate; then the mean, median and \
        line-weighted agreement, load-time geometric means, and the differences grouped by cause \
        (`DisagreementCauses`). A page that stalls Chromium is reported with its time; the run goes on.
        """)

    @Option(help: "Folder of saved pages.")
    var pages: String

    @Option(help: "Print each page's differing lines (up to this many per side).")
    var differences = 0

    @Flag(help: "Native browser without the pages' <style> sheets (inline style only): the cascade's contribution.")
    var noStyleSheets = false

    @Option(help: ArgumentHelp(
        "Charset to declare in the pages' Content-Type (for example utf-8, the encoding mozilla/readability's corpus is stored in).",
        discussion: "Default: none, so each browser decides from the bytes and the <meta> tags alone. The pages' own servers declared one; a saved copy lost it, and without it Chromium reads an unlabeled UTF-8 page as windows-1252."))
    var charset: String?

    @Option(help: "Folder to write each page's two observations to (`<page>.native.txt`, `<page>.chromium.txt`), to trace a difference to its markup.")
    var saveObservations: String?

    func run() async throws {
        guard ChromiumBrowser.isInstalled else {
            throw ValidationError("Chromium is not installed: apt-get install -y chromium (or set CHROMIUM_PATH)")
        }
        let folder = URL(fileURLWithPath: pages)
        let paths = try Self.pagePaths(in: folder)
        guard !paths.isEmpty else { throw ValidationError("no pages in \(pages)") }
        try await LoopbackPageServer.with(folder: folder, charset: charset) { base in
            try await measure(paths: paths, base: base)
        }
    }

    /// Relative paths of the pages, sorted.
    static func pagePaths(in folder: URL) throws -> [String] {
        let fm = FileManager.default
        var out: [String] = []
        for name in try fm.contentsOfDirectory(atPath: folder.path).sorted() {
            if name.hasSuffix(".html") { out.append(name); continue }
            if fm.fileExists(atPath: folder.appendingPathComponent(name).appendingPathComponent("source.html").path) {
                out.append(name + "/source.html")
            }
        }
        return out
    }

    private func measure(paths: [String], base: String) async throws {
        var configuration = ChromiumBrowser.Configuration()
        configuration.viewportOnly = false
        let browser = try await ChromiumBrowser.launch(configuration)
        defer { browser.close() }
        let version = try await browser.version()
        let allowlist = URLAllowlist(prefixes: [base + "/"])
        let chromium = browser.makeEnvironment(allowlist: allowlist)
        var nativeConfiguration = BrowserConfiguration(allowedURLPrefixes: [base + "/"], viewportLines: 0)
        nativeConfiguration.applyStyleSheets = !noStyleSheets
        let native = BrowserSession(configuration: nativeConfiguration)
        print("native browser vs \(version) on \(paths.count) saved pages from \(pages), served on loopback "
              + (charset.map { "as text/html; charset=\($0)" } ?? "as text/html without a charset"))

        let progress = ProgressBar(label: "pages", total: paths.count, unit: "page")
        var rows: [[String]] = []
        var rates: [Double] = []
        var matched = 0, total = 0
        var nativeTimes: [Double] = [], chromiumTimes: [Double] = []
        var causes = DisagreementCauses()
        var stalled: [String] = []
        var detail: [String] = []
        for path in paths {
            let url = base + "/" + path.split(separator: "/").map {
                String($0).addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? String($0)
            }.joined(separator: "/")
            let name = path.hasSuffix("/source.html") ? String(path.dropLast("/source.html".count)) : path
            var nativeText = ""
            let nativeTime = try await ChromiumBench.milliseconds { nativeText = try await native.reset(startURL: url).text }
            let document = native.accessibilityTree.document
            var chromiumText = ""
            let start = DispatchTime.now().uptimeNanoseconds
            do {
                let chromiumTime = try await ChromiumBench.milliseconds { chromiumText = try await chromium.reset(startURL: url).text }
                chromiumTimes.append(chromiumTime)
                nativeTimes.append(nativeTime)
            } catch {
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                stalled.append(String(format: "%@: Chromium failed after %.1f s: %@", name, seconds, "\(error)"))
                rows.append([name, "\(ObservationAgreement.entries(nativeText).count)", "-",
                             String(format: "%.1f", nativeTime), "stalled", "-"])
                progress.advance()
                continue
            }
            if let saveObservations {
                let folder = URL(fileURLWithPath: saveObservations)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                let stem = name.replacingOccurrences(of: "/", with: "_")
                try nativeText.write(to: folder.appendingPathComponent(stem + ".native.txt"), atomically: true, encoding: .utf8)
                try chromiumText.write(to: folder.appendingPathComponent(stem + ".chromium.txt"), atomically: true, encoding: .utf8)
            }
            let agreement = ObservationAgreement(nativeText, chromiumText)
            let lines = agreement.matched + max(agreement.onlyInFirst.count, agreement.onlyInSecond.count)
            matched += agreement.matched
            total += lines
            rates.append(agreement.rate)
            causes.add(agreement, markupText: Self.markupText(document))
            rows.append([name, "\(ObservationAgreement.entries(nativeText).count)",
                         "\(ObservationAgreement.entries(chromiumText).count)",
                         String(format: "%.1f", nativeTime), String(format: "%.1f", chromiumTimes.last ?? 0),
                         String(format: "%.1f%%", agreement.rate * 100)])
            if differences > 0, agreement.rate < 1 {
                detail.append("\(name): \(agreement)\n\(agreement.sampleDifferences(limit: differences))")
            }
            progress.advance()
        }
        progress.finish()
        await chromium.close()

        ChromiumBench.printTable([["page", "lines nat", "lines chr", "load nat ms", "load chr ms", "agree"]] + rows)
        for block in detail { print(block) }
        let sorted = rates.sorted()
        let median = sorted.isEmpty ? 0 : (sorted[(sorted.count - 1) / 2] + sorted[sorted.count / 2]) / 2
        print(String(format: "agreement over %d pages: mean %.2f%%, median %.2f%%, line-weighted %.2f%% (%d of %d lines)",
                     rates.count, rates.reduce(0, +) / Double(max(rates.count, 1)) * 100, median * 100,
                     Double(matched) / Double(max(total, 1)) * 100, matched, total))
        print(String(format: "load time, geometric mean: native %.1f ms, Chromium %.1f ms (%.1fx)",
                     ChromiumBench.geometricMean(nativeTimes), ChromiumBench.geometricMean(chromiumTimes),
                     ChromiumBench.geometricMean(zip(chromiumTimes, nativeTimes).map { $0 / max($1, 0.001) })))
        print("differences by cause (lines, share of all lines):")
        print(causes.report(totalLines: total))
        for line in stalled { print("stalled: " + line) }
    }

    /// The page's text as its markup holds it: each element's own text and its attribute values,
    /// whitespace-collapsed, to tell content Chromium's scripts wrote.
    static func markupText(_ document: HTMLDocument) -> String {
        var parts: [String] = []
        for element in document.root.descendants() {
            for child in element.children {
                if case .text(let text) = child { parts.append(text.text) }
            }
            for attribute in element.attributes { parts.append(attribute.value) }
        }
        return parts.joined(separator: " ").split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
