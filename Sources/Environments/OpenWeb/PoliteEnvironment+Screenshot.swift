import Foundation
import WebBrowser

extension PoliteEnvironment: PageScreenshotting {
    /// A picture of the page already loaded: it loads nothing, so it needs no turn of the host.
    public func screenshotJPEG(quality: Int) async throws -> Data? {
        try await Self.screenshot(of: base, quality: quality)
    }
}
