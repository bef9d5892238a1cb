import Foundation
import WebBrowser

extension ChromiumEnvironment: PageScreenshotting {
    /// DevTools' `Page.captureScreenshot` of the active tab's viewport.
    public func screenshotJPEG(quality: Int) async throws -> Data? {
        let session = session
        return try await withDeadline(stepTimeout, "screenshot") { try await session.screenshotJPEG(quality: quality) }
    }
}

extension MiniWoBEnvironment: PageScreenshotting {
    public func screenshotJPEG(quality: Int) async throws -> Data? { try await base.screenshotJPEG(quality: quality) }
}

extension ChromiumSession {
    func screenshotJPEG(quality: Int) async throws -> Data {
        guard let tab = activeTab else { throw ChromiumError.unusable("no open tab") }
        struct Captured: Decodable { let data: String }
        let captured: Captured = try await tab.send("Page.captureScreenshot",
                                                    ["format": "jpeg", "quality": .number(Double(min(100, max(1, quality)))),
                                                     "captureBeyondViewport": false],
                                                    timeout: configuration.commandTimeout)
        guard let data = Data(base64Encoded: captured.data) else {
            throw ChromiumError.unusable("Page.captureScreenshot returned data that is not base64")
        }
        return data
    }
}
