import Foundation
import WebBrowser

/// Which browser runs episodes: the native one (HTTP + libxml2, no JavaScript, fast) or headless
/// Chromium (JavaScript sites, MiniWoB++). Both give the same observation text and action grammar.
public enum BrowserBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case native
    case chromium

    public var description: String { rawValue }
}

/// Lends environments of one backend to episodes, up to `parallelism` at a time for Chromium
/// (browser contexts of one shared process). `miniwob://task?seed=n` start URLs get a
/// `MiniWoBEnvironment`, whose `reward` and `utterance` the caller can read.
///
/// ```swift
/// let browsers = BrowserFactory(backend: .chromium, parallelism: 2)
/// let reward = try await browsers.withEnvironment(startURL: "miniwob://login-user?seed=42") { env in
///     var observation = try await env.reset(startURL: "miniwob://login-user?seed=42")
///     ...
///     return (env as? MiniWoBEnvironment)?.reward
/// }
/// await browsers.shutdown()
/// ```
public final class BrowserFactory: Sendable {
    public let backend: BrowserBackend
    public let nativeConfiguration: BrowserConfiguration
    private let pool: ChromiumPool?

    public init(backend: BrowserBackend, native: BrowserConfiguration = BrowserConfiguration(),
                chromium: ChromiumBrowser.Configuration = ChromiumBrowser.Configuration(), parallelism: Int = 1) {
        self.backend = backend
        nativeConfiguration = native
        pool = backend == .chromium ? ChromiumPool(size: parallelism, configuration: chromium) : nil
    }

    /// Runs `body` with an environment for an episode starting at `startURL`.
    public func withEnvironment<T: Sendable>(startURL: String = "",
                                             _ body: @Sendable (any BrowserEnvironment) async throws -> T) async throws -> T {
        let isMiniWoB = startURL.hasPrefix("miniwob://")
        guard let pool else {
            if isMiniWoB { throw BrowserFactoryError.miniWoBNeedsChromium }
            return try await body(BrowserSession(configuration: nativeConfiguration))
        }
        guard ChromiumBrowser.isInstalled else { throw ChromiumError.notInstalled }
        let pages = isMiniWoB ? try MiniWoBPages.prepare() : nil
        return try await pool.withEnvironment { chromium in
            if let pages { return try await body(MiniWoBEnvironment(environment: chromium, pages: pages)) }
            return try await body(chromium)
        }
    }

    /// Stops Chromium if it was started.
    public func shutdown() async {
        await pool?.shutdown()
    }
}

public enum BrowserFactoryError: Error, CustomStringConvertible, Sendable {
    case miniWoBNeedsChromium

    public var description: String {
        "MiniWoB++ tasks run JavaScript: use --browser chromium (the native browser does not run scripts)"
    }
}
