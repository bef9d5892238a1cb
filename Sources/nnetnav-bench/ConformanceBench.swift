import ArgumentParser
import Foundation
import WebBrowser

/// Runs web-platform-tests' statically authored accessibility cases against the tree builder:
/// `accname/name/*.html` (elements carry `data-expectedlabel`) and `html-aam/roles*.html`
/// (`data-expectedrole`, or class `ex-generic` for generic).
struct ConformanceBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract: "Accessible name and role conformance against web-platform-tests files.",
        discussion: """
        Point --wpt at a folder holding a copy of the wpt files `accname/name/*.html` and \
        `html-aam/roles*.html` (kept outside this repository). Cases whose expectation depends on CSS \
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

    func run() async throws {
        let root = URL(fileURLWithPath: wpt)
        let suites: [(name: String, folder: String, prefix: String, kind: Kind)] = [
            ("accname/name", "accname/name", "comp_", .name),
            ("html-aam/roles*", "html-aam", "roles", .role),
        ]
        var grand = Outcome()
        for suite in suites {
            let folder = root.appendingPathComponent(suite.folder)
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
                .filter { $0.hasPrefix(suite.prefix) && $0.hasSuffix(".html") && (tentative || !$0.contains(".tentative.")) }
                .sorted()
            guard !files.isEmpty else {
                print("\(suite.name): no files under \(folder.path)")
                continue
            }
            var outcome = Outcome()
            for file in files {
                let data = try Data(contentsOf: folder.appendingPathComponent(file))
                check(file: file, data: data, kind: suite.kind, into: &outcome)
            }
            let rate = outcome.total == 0 ? 0 : 100 * Double(outcome.passed) / Double(outcome.total)
            print("\(suite.name): \(outcome.passed)/\(outcome.total) passed (\(String(format: "%.1f", rate))%), " +
                  "\(outcome.skipped.count) skipped, files: \(files.joined(separator: " "))")
            for failure in outcome.failures { print("  FAIL \(failure)") }
            for skip in outcome.skipped { print("  skip \(skip)") }
            grand.passed += outcome.passed
            grand.failures += outcome.failures
            grand.skipped += outcome.skipped
        }
        let rate = grand.total == 0 ? 0 : 100 * Double(grand.passed) / Double(grand.total)
        print("all: \(grand.passed)/\(grand.total) passed (\(String(format: "%.1f", rate))%), \(grand.skipped.count) skipped")
    }

    enum Kind { case name, role }

    private func check(file: String, data: Data, kind: Kind, into outcome: inout Outcome) {
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
            let expected: String
            switch kind {
            case .name:
                guard classes.contains("ex"), let label = element.attribute("data-expectedlabel") else { continue }
                expected = label
            case .role:
                if classes.contains("ex"), let role = element.attribute("data-expectedrole") { expected = role }
                else if classes.contains("ex-generic") { expected = "generic" }
                else { continue }
            }
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
                actual = node?.name ?? ""
            case .role:
                actual = Self.ariaRole(node?.role ?? AccessibilityTree.computedRole(of: element))
            }
            let matches = kind == .role
                ? Self.sameRole(actual, expected)
                : actual == expected.trimmingCharacters(in: CharacterSet(charactersIn: " \t\n\r\u{0C}"))
            if matches { outcome.passed += 1 } else {
                outcome.failures.append("\(testName): expected '\(expected)', got '\(actual)'")
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
        func canonical(_ r: String) -> String { r == "presentation" ? "none" : (r == "img" ? "image" : r) }
        return canonical(a) == canonical(b)
    }
}
