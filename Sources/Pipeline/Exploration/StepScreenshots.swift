import Foundation
import WebBrowser

/// Exploration photographs the page each step was taken on, so a reader of the crawl sees what the
/// observation text describes. Only backends that render can (Chromium); elsewhere steps have none.
///
/// Size is bounded three ways: the viewport only (never the full page), JPEG at `jpegQuality`, and
/// an image still over `maxBytes` retried once at half the quality, then dropped. A screenshot that
/// fails is left out: a missing picture never fails an episode.
public struct StepScreenshots: Sendable, Hashable {
    public var jpegQuality: Int
    public var maxBytes: Int

    public init(jpegQuality: Int = 40, maxBytes: Int = 250_000) {
        self.jpegQuality = jpegQuality
        self.maxBytes = maxBytes
    }

    /// The current page of `environment`, or nil.
    public func capture(_ environment: any BrowserEnvironment) async -> Data? {
        guard let camera = environment as? any PageScreenshotting else { return nil }
        for quality in [jpegQuality, max(1, jpegQuality / 2)] {
            guard let image = try? await camera.screenshotJPEG(quality: quality) else { return nil }
            if image.count <= maxBytes { return image }
        }
        return nil
    }
}

extension CanonicalURLEnvironment: PageScreenshotting {
    public func screenshotJPEG(quality: Int) async throws -> Data? {
        try await Self.screenshot(of: wrapped, quality: quality)
    }
}
