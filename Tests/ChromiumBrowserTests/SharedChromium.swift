import XCTest
@testable import ChromiumBrowser
import TestSupport

/// One Chromium for the whole test target (starting one takes ~0.5 s); tests skip with the
/// reason when it is not installed.
actor SharedChromium {
    static let shared = SharedChromium()
    private var browser: ChromiumBrowser?

    func browser() async throws -> ChromiumBrowser {
        if let browser, browser.isAlive { return browser }
        try TestRequirements.chromium()
        var configuration = ChromiumBrowser.Configuration()
        configuration.stepTimeout = 20
        let launched = try await ChromiumBrowser.launch(configuration)
        browser = launched
        return launched
    }
}

/// Writes HTML fixtures to a temporary folder and returns their file:// URLs.
enum Fixtures {
    static let directory: URL = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-chromium-fixtures-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }()

    static func url(_ name: String, _ html: String) throws -> String {
        let file = directory.appendingPathComponent(name)
        try html.write(to: file, atomically: true, encoding: .utf8)
        return file.absoluteString
    }
}
