import ChromiumBrowser
import Foundation
import WebBrowser
import WebTasks
import XCTest
@testable import Environments
import TestSupport

/// The native browser's page text (`RenderedText`) against the reference, Chromium's `innerText`
/// and field values, one case per rule: both must read the same whitespace-collapsed text.
final class RenderedTextParityTests: XCTestCase {
    /// (case, body markup, locator). Every case is read from a page of its own.
    static let cases: [(String, String, String)] = [
        ("inline elements run together, blocks are spaced",
         "<div>a<b>b</b><span>c</span> <i>d</i></div><div>x<div>block</div>y<p>para</p>z</div>", ""),
        ("hidden, display:none, visibility:hidden, template and noscript are not text; aria-hidden is",
         """
         <p>h1<span hidden>HID</span>|<span style="display:none">DN</span>|<span style="visibility:hidden">VH</span>|\
         <span aria-hidden="true">AH</span>|<template>TPL</template>|<noscript>NS</noscript>|\
         <span style="visibility: hidden">o<span style="visibility:visible">VIS</span></span>|\
         <span style="display: none !important">IMP</span><div hidden="until-found">UF</div></p>
         """, ""),
        ("a closed details shows its summary only; an open one all",
         "<details><summary>Sum</summary><p>Closed body</p></details>after<details open><summary>S2</summary><p>Open body</p></details>", ""),
        ("a select reads as all its options, not its value",
         "<p>sel<select><option>One</option><option selected>Two</option></select>after</p>", ""),
        ("nested field values are not part of the page text",
         """
         <form>ta<textarea>TA text</textarea>after in<input value="IV">after<input type=checkbox value=CB>\
         <input type=hidden value=HV><input type=submit value="Go"><button>B1</button>\
         <label>L<input value="LV"></label></form>
         """, ""),
        ("a field read by itself is its value", "<p>x</p><input id=f value='Field value'>", "#f"),
        ("a textarea read by itself is its value, without the leading newline", "<textarea id=t>\nArea text</textarea>", "#t"),
        ("a checkbox reads as nothing", "<p>x</p><input id=c type=checkbox value=on>", "#c"),
        ("loose text of a closed details is hidden too", "<details><summary>S</summary>loose</details>", ""),
        ("table cells, list items and line breaks are separated; images and media are not text",
         """
         <table><tr><td>c1</td><td>c2</td></tr><tr><th>c3</th><td>c4</td></tr></table><ul><li>i1</li><li>i2</li></ul>\
         br<br>x<img alt="ALT">y<video>VID</video><canvas>CNV</canvas><meter>MET</meter><progress>PRG</progress>\
         <dialog><p>Dialog text</p></dialog><dialog open>Open dialog</dialog>
         """, ""),
        ("an element that is not rendered reads as its textContent",
         "<p>shown</p><div id=gone hidden>Gone <b>text</b></div>", "#gone"),
        ("inline display makes a block run into its neighbours",
         "<div>a<div style='display:inline'>b</div><div style='display:inline-block'>c</div><span style='display:block'>d</span>e</div>", ""),
    ]

    func testNativePageTextFollowsChromium() async throws {
        try TestRequirements.chromium()
        var configuration = ChromiumBrowser.Configuration()
        configuration.viewportOnly = false
        let browser = try await ChromiumBrowser.launch(configuration)
        defer { browser.close() }
        let chromium = browser.makeEnvironment()
        let native = BrowserSession(configuration: BrowserConfiguration(allowFileURLs: true))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-rendered-text-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        var failures: [String] = []
        for (index, (name, body, locator)) in Self.cases.enumerated() {
            let file = directory.appendingPathComponent("case\(index).html")
            try "<!doctype html><html><head><title>t</title></head><body>\(body)</body></html>"
                .write(to: file, atomically: true, encoding: .utf8)
            _ = try await native.reset(startURL: file.absoluteString)
            _ = try await chromium.reset(startURL: file.absoluteString)
            let nativeText = try native.text(TextLocator(locator))
            let chromiumText = try await chromium.text(TextLocator(locator))
            XCTAssertNotNil(chromiumText, name)
            if nativeText != chromiumText {
                failures.append("\(name):\n  chromium: \(chromiumText ?? "nil")\n  native:   \(nativeText ?? "nil")")
            }
        }
        await chromium.close()
        XCTAssertTrue(failures.isEmpty, failures.joined(separator: "\n"))
    }

    /// The same rules without Chromium, so they hold where it is not installed.
    func testRulesHoldWithoutChromium() throws {
        let page = HTMLDocument.parse(html: """
            <body><p>a<b>b</b></p><span hidden>H</span><span aria-hidden=true>A</span><noscript>N</noscript>\
            <details><summary>S</summary>closed</details><select><option>O1</option><option>O2</option></select>\
            <input value=V><textarea>T</textarea></body>
            """, url: "http://127.0.0.1/")
        let state = FormState()
        XCTAssertEqual(RenderedText.shown(page.body!, state: state), "ab A S O1 O2")
        let input = page.root.descendants(includingSelf: false).first { $0.tag == "input" }!
        var typed = state
        typed.setValue("typed", of: input)
        XCTAssertEqual(RenderedText.shown(input, state: typed), "typed", "a field reads as what was typed into it")
    }
}
