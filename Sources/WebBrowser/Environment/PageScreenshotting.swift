import Foundation

/// A browser environment that may be able to show what its current page looks like: Chromium
/// renders; the native browser does not, so its crawls simply have no screenshots. Wrappers
/// (URL mapping, politeness, MiniWoB++) conform by asking what they wrap, so a picture is found
/// however deep the Chromium environment sits.
public protocol PageScreenshotting: Sendable {
    /// The visible part of the current page as a JPEG of the given quality (1–100), or nil when the
    /// backend renders nothing. The viewport only, never the full page, so one image stays a
    /// bounded size however long the page is.
    func screenshotJPEG(quality: Int) async throws -> Data?
}

extension PageScreenshotting {
    /// What a wrapper answers: the wrapped environment's picture, or nil if it cannot take one.
    public static func screenshot(of wrapped: any BrowserEnvironment, quality: Int) async throws -> Data? {
        guard let camera = wrapped as? any PageScreenshotting else { return nil }
        return try await camera.screenshotJPEG(quality: quality)
    }
}
