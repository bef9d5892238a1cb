import Foundation

/// A running headless Chromium. Each environment it makes gets its own browser context
/// (separate cookies, storage and tabs), so parallel episodes share one process safely.
public final class ChromiumBrowser: Sendable {
    public struct Configuration: Sendable {
        /// Chromium executable; nil finds Debian's `/usr/bin/chromium` (or `CHROMIUM_PATH`).
        public var executable: String?
        public var windowWidth = 1280
        public var windowHeight = 720
        /// Bound on any single DevTools command.
        public var commandTimeout: Double = 15
        /// Bound on waiting for a page load; a page still loading after it is observed as it is.
        public var navigationTimeout: Double = 20
        /// Bound on a whole `reset` or `step`; beyond it the environment throws `ChromiumError.timeout`.
        public var stepTimeout: Double = 60
        /// Show only nodes laid out in the visible window (scrolling moves it), as the native browser does.
        public var viewportOnly = true
        public var extraArguments: [String] = []

        public init() {}
    }

    public let configuration: Configuration
    let process: ChromiumProcess
    let connection: DevToolsConnection

    private init(configuration: Configuration, process: ChromiumProcess, connection: DevToolsConnection) {
        self.configuration = configuration
        self.process = process
        self.connection = connection
    }

    /// True when a Chromium executable is installed.
    public static var isInstalled: Bool { ChromiumProcess.locateExecutable() != nil }

    /// Starts Chromium and waits until it answers.
    public static func launch(_ configuration: Configuration = Configuration()) async throws -> ChromiumBrowser {
        guard let executable = configuration.executable ?? ChromiumProcess.locateExecutable() else {
            throw ChromiumError.notInstalled
        }
        let process = try ChromiumProcess(executable: executable,
                                          windowSize: (configuration.windowWidth, configuration.windowHeight),
                                          extraArguments: configuration.extraArguments)
        let connection = DevToolsConnection(process: process, defaultTimeout: configuration.commandTimeout)
        do {
            try await connection.call("Browser.getVersion", timeout: 30)
        } catch {
            process.terminate()
            throw error
        }
        return ChromiumBrowser(configuration: configuration, process: process, connection: connection)
    }

    /// The browser's version string, e.g. `Chrome/156.0.8078.79`.
    public func version() async throws -> String {
        struct Version: Decodable { let product: String }
        let v: Version = try await connection.send("Browser.getVersion")
        return v.product
    }

    public var isAlive: Bool { !connection.isClosed }

    /// A new environment in a fresh browser context.
    public func makeEnvironment() -> ChromiumEnvironment {
        ChromiumEnvironment(browser: self)
    }

    /// Ends the browser and every process it started.
    public func close() {
        process.terminate()
    }
}
