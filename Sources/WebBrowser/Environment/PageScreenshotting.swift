import Foundation

/// A backend that can show what its current page looks like (Chromium renders; the native browser
/// does not, so its crawls simply have no screenshots).
public protocol PageScreenshotting: Sendable {
    /// The visible part of the current page as a JPEG of the given quality (1–100). The viewport
    /// only, never the full page, so one image stays a bounded size however long the page is.
    func screenshotJPEG(quality: Int) async throws -> Data
}
