import XCTest
import WebBrowser
@testable import ChromiumBrowser
import TestSupport

/// The same static pages observed by the native browser and by Chromium should give the same
/// roles and names. The rate is printed per page and overall; the test fails below a floor.
final class BackendAgreementTests: XCTestCase {
    static let pages: [(String, String)] = [
        ("article.html", """
        <!doctype html><html><head><title>Postmill - Forum</title></head><body>
        <header><nav><a href="/">Home</a> <a href="/forums">Forums</a> <a href="/login">Log in</a></nav></header>
        <main><h1>Why is my sourdough flat?</h1>
        <p>Posted by <a href="/user/baker">baker</a> in <a href="/f/cooking">cooking</a></p>
        <p>My loaf spreads out in the oven. I use 75% hydration and a long cold proof.</p>
        <h2>Comments</h2>
        <ul><li>Try a stronger flour.</li><li>Shape it tighter and use a banneton.</li></ul>
        <button type="button">Reply</button></main>
        <footer><p>Running Postmill</p></footer></body></html>
        """),
        ("form.html", """
        <!doctype html><html><head><title>Create account</title></head><body>
        <h1>Create an account</h1>
        <form action="/register" method="post">
          <label for="email">Email</label> <input id="email" name="email" type="email" required>
          <label for="pw">Password</label> <input id="pw" name="pw" type="password">
          <label><input type="checkbox" name="news"> Send me news</label>
          <fieldset><legend>Plan</legend>
            <label><input type="radio" name="plan" value="free" checked> Free</label>
            <label><input type="radio" name="plan" value="pro"> Pro</label></fieldset>
          <label for="country">Country</label>
          <select id="country" name="country"><option>Canada</option><option selected>France</option></select>
          <textarea aria-label="About you" name="about"></textarea>
          <button type="submit">Create</button>
        </form></body></html>
        """),
        ("table.html", """
        <!doctype html><html><head><title>Orders</title></head><body>
        <h1>Orders</h1>
        <table><thead><tr><th>Order</th><th>Date</th><th>Total</th></tr></thead>
        <tbody><tr><td><a href="/order/1">#000000170</a></td><td>5/17/23</td><td>$365.42</td></tr>
        <tr><td><a href="/order/2">#000000189</a></td><td>3/11/23</td><td>$754.99</td></tr></tbody></table>
        <img src="logo.png" alt="Store logo"> <img src="spacer.gif" alt="">
        <p>Showing <strong>2</strong> of 2 orders.</p></body></html>
        """),
        ("wiki.html", """
        <!doctype html><html><head><title>Pittsburgh - Wikipedia</title></head><body>
        <div role="search"><input type="search" placeholder="Search Wikipedia" aria-label="Search"></div>
        <article><h1>Pittsburgh</h1>
        <p><b>Pittsburgh</b> is a city in <a href="/wiki/Pennsylvania">Pennsylvania</a>, United States.</p>
        <h2 id="history">History</h2><p>The city grew around the confluence of three rivers.</p>
        <details><summary>Etymology</summary><p>Named after William Pitt.</p></details>
        <ol><li><a href="#history">History</a></li><li>Geography</li></ol></article></body></html>
        """),
    ]

    func testNativeAndChromiumAgreeOnRolesAndNamesOfStaticPages() async throws {
        try TestRequirements.chromium()
        var configuration = ChromiumBrowser.Configuration()
        configuration.viewportOnly = false
        let browser = try await ChromiumBrowser.launch(configuration)
        defer { browser.close() }
        let chromium = browser.makeEnvironment()
        let native = BrowserSession(configuration: BrowserConfiguration(allowFileURLs: true, viewportLines: 0))

        var matched = 0, total = 0
        var report: [String] = []
        for (name, html) in Self.pages {
            let url = try Fixtures.url(name, html)
            let nativeText = try await native.reset(startURL: url).text
            let chromiumText = try await chromium.reset(startURL: url).text
            let agreement = ObservationAgreement(nativeText, chromiumText)
            matched += agreement.matched
            total += agreement.matched + max(agreement.onlyInFirst.count, agreement.onlyInSecond.count)
            report.append("\(name): \(agreement)\n\(agreement.sampleDifferences())")
        }
        await chromium.close()
        let rate = Double(matched) / Double(max(total, 1))
        print("native vs chromium roles+names (- native only, + chromium only):\n" + report.joined(separator: "\n"))
        print(String(format: "overall agreement: %.1f%% (%d of %d lines)", rate * 100, matched, total))
        XCTAssertGreaterThan(rate, 0.9, report.joined(separator: "\n"))
    }
}
