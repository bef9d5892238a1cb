import ArgumentParser
import Foundation
import WebBrowser

/// Runs web-platform-tests' statically authored accessibility cases against the tree builder,
/// folder by folder (`ConformanceBench.folders`): elements carry `data-expectedlabel` and/or
/// `data-expectedrole` (or class `ex-generic` for generic).
struct ConformanceBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract: "Accessible name and role conformance against web-platform-tests files.",
        discussion: """
        Point --wpt at a folder holding a copy of the wpt folders accname, html-aam, core-aam, svg-aam, \
        wai-aria and css/css-display/accessibility (kept outside this repository; scripts/bench/fetch_wpt.sh). Cases whose expectation depends on CSS \
        rules from a <style> sheet (pseudo-element content), or on scripts that change the page, are \
        skipped and listed with the reason. Prints pass/total per suite and every failure.
        """)

    @Option(help: "Folder with the web-platform-tests files.")
    var wpt: String

    @Flag(help: "Include *.tentative.html files.")
    var tentative = false

    struct Outcome {
        var passed = 0
        var failures: [String] = []
        var skipped: [String] = []
        var total: Int { passed + failures.count }
    }

    /// The wpt folders with statically authored cases, read recursively; each reports its own rate.
    static let folders = ["accname", "html-aam", "core-aam", "svg-aam", "wai-aria", "css/css-display/accessibility"]

    func run() async throws {
        let root = URL(fileURLWithPath: wpt)
        var grand = Outcome()
        for suite in Self.folders {
            let folder = root.appendingPathComponent(suite)
            let files = Self.testFiles(under: folder, tentative: tentative)
            guard !files.isEmpty else {
                print("\(suite): no files under \(folder.path)")
                continue
            }
            var outcome = Outcome()
            for file in files {
                let data = try Data(contentsOf: folder.appendingPathComponent(file))
                check(file: "\(suite)/\(file)", data: data, into: &outcome)
            }
            guard outcome.total + outcome.skipped.count > 0 else { continue }
            let rate = outcome.total == 0 ? 0 : 100 * Double(outcome.passed) / Double(outcome.total)
            print("\(suite): \(outcome.passed)/\(outcome.total) passed (\(String(format: "%.1f", rate))%), " +
                  "\(outcome.skipped.count) skipped, \(files.count) files")
            for failure in outcome.failures { print("  FAIL \(failure)") }
            for skip in outcome.skipped { print("  skip \(skip)") }
            grand.passed += outcome.passed
            grand.failures += outcome.failures
            grand.skipped += outcome.skipped
        }
        let rate = grand.total == 0 ? 0 : 100 * Double(grand.passed) / Double(grand.total)
        print("all: \(grand.passed)/\(grand.total) passed (\(String(format: "%.1f", rate))%), \(grand.skipped.count) skipped")
    }

    /// Automated test pages under a folder (paths relative to it): `-manual` files need a person,
    /// `.tentative.` ones test unsettled spec text and are read only when asked.
    static func testFiles(under folder: URL, tentative: Bool) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder.path) else { return [] }
        return walker.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".html") && !$0.contains("-manual") && (tentative || !$0.contains(".tentative.")) }
            .sorted()
    }

    enum Kind { case name, role }

    /// Checks every case of a page: an element of class `ex` with `data-expectedrole` and/or
    /// `data-expectedlabel`, or of class `ex-generic` (role generic, or the variants wpt accepts).
    private func check(file: String, data: Data, into outcome: inout Outcome) {
        let document = HTMLDocument.parse(data, url: "http://wpt.test/\(file)", encoding: "UTF-8")
        let tree = AccessibilityTree.build(from: document)
        let all = document.root.descendants()
        let styleText = all.filter { $0.tag == "style" }.map(\.textContent).joined(separator: "\n")
        let scripts = all.filter { $0.tag == "script" }.map(\.textContent)
            .filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        let scriptChangesPage = scripts.contains { script in
            script.split(separator: "\n").contains { line in
                let l = line.trimmingCharacters(in: .whitespaces)
                return !l.isEmpty && !l.hasPrefix("AriaUtils.verify") && !l.hasPrefix("//")
            }
        }

        for element in all {
            let classes = (element.attribute("class") ?? "").split(separator: " ").map(String.init)
            var expectations: [(Kind, String)] = []
            if classes.contains("ex"), let role = element.attribute("data-expectedrole") {
                // wai-aria's fallback-roles marks cases that only record what browsers return
                // ("should fail in order to observe role return values"): no expectation to meet.
                if role == "indeterminate" {
                    outcome.skipped.append("\(file): \(element.attribute("data-testname") ?? element.startTag) (expected role is indeterminate)")
                    continue
                }
                expectations.append((.role, role))
            }
            else if classes.contains("ex-generic") { expectations.append((.role, "generic")) }
            if classes.contains("ex"), let label = element.attribute("data-expectedlabel") { expectations.append((.name, label)) }
            for (kind, expected) in expectations {
                let testName = "\(file): \(element.attribute("data-testname") ?? element.startTag)"
                // Expectations that come from a style sheet (e.g. ::before content) need a CSS engine.
                let styled = ([element] + ancestors(of: element)).contains { e in
                    (e.attribute("class") ?? "").split(separator: " ").contains { c in
                        c != "ex" && styleText.contains("." + c)
                    }
                }
                if styled { outcome.skipped.append("\(testName) (needs CSS from a <style> sheet)"); continue }
                if scriptChangesPage { outcome.skipped.append("\(testName) (page is changed by script)"); continue }

                let node = tree.node(for: element)
                let actual: String
                switch kind {
                case .name:
                    actual = node?.name ?? AccessibilityTree.computedName(of: element, in: document)
                case .role:
                    actual = Self.ariaRole(node?.role ?? AccessibilityTree.computedRole(of: element, in: document))
                }
                // `ex-generic` is wpt's verifyGenericRolesBySelector: generic, "" (WebKit) and none
                // (Chromium) are all accepted.
                let genericVariant = classes.contains("ex-generic") && kind == .role && ["generic", "", "none"].contains(actual)
                let matches = kind == .role
                    ? genericVariant || Self.sameRole(actual, expected)
                    : actual == expected.trimmingCharacters(in: CharacterSet(charactersIn: " \t\n\r\u{0C}"))
                if matches { outcome.passed += 1 } else {
                    outcome.failures.append("\(testName): expected '\(expected)', got '\(actual)'")
                }
            }
        }
    }

    private func ancestors(of element: HTMLElement) -> [HTMLElement] {
        var out: [HTMLElement] = []
        var node = element.parent
        while let n = node { out.append(n); node = n.parent }
        return out
    }

    /// Our Chromium-style role names, as `computedrole` spells them.
    static func ariaRole(_ role: String) -> String {
        switch role {
        case "img": "image"
        case "RootWebArea": "document"
        case "LabelText", "Legend", "DisclosureTriangle", "LineBreak", "Figcaption": "generic"
        case "DescriptionList": "list"
        case "MathMLMath": "math"
        default: role
        }
    }

    static func sameRole(_ a: String, _ b: String) -> Bool {
        // An empty expected role is an element with no node of its own in the browser's tree,
        // which our tree spells `none` (its content is kept, the element is left out).
        func canonical(_ r: String) -> String { r == "presentation" || r.isEmpty ? "none" : (r == "img" ? "image" : r) }
        return canonical(a) == canonical(b)
    }
}
