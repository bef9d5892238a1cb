import Foundation
import WebBrowser

/// A running headless Chromium: one this process started (over a pipe), or one already running
/// elsewhere that it connects to (over its DevTools WebSocket). Each environment it makes gets
/// its own browser context (separate cookies, storage and tabs), so parallel episodes share one
/// browser safely.
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
        /// Connect to this running browser instead of starting one: its DevTools WebSocket
        /// (`ws://host:9222/devtools/browser/<id>`) or HTTP endpoint (`http://host:9222`).
        /// Defaults to the environment variable `NNETNAV_CHROMIUM_ENDPOINT`.
        public var endpoint: String? = {
            let value = ProcessInfo.processInfo.environment["NNETNAV_CHROMIUM_ENDPOINT"] ?? ""
            return value.isEmpty ? nil : value
        }()

        public init() {}
    }

    public let configuration: Configuration
    let connection: DevToolsConnection
    /// Holds new pages (popups included) until their environment's request filter is on them.
    let gate: NewTargetGate

    private init(configuration: Configuration, connection: DevToolsConnection, gate: NewTargetGate) {
        self.configuration = configuration
        self.connection = connection
        self.gate = gate
    }

    /// True when a Chromium executable is installed.
    public static var isInstalled: Bool { ChromiumProcess.locateExecutable() != nil }

    /// Starts Chromium (or connects to `configuration.endpoint`) and waits until it answers.
    public static func launch(_ configuration: Configuration = Configuration()) async throws -> ChromiumBrowser {
        if let endpoint = configuration.endpoint { return try await connect(to: endpoint, configuration) }
        guard let executable = configuration.executable ?? ChromiumProcess.locateExecutable() else {
            throw ChromiumError.notInstalled
        }
        let process = try ChromiumProcess(executable: executable,
                                          windowSize: (configuration.windowWidth, configuration.windowHeight),
                                          extraArguments: configuration.extraArguments)
        return try await start(PipeTransport(process: process), configuration)
    }

    /// Connects to a Chromium that is already running with `--remote-debugging-port`: `endpoint`
    /// is its browser WebSocket URL, or its `http://host:port` (whose `/json/version` names it).
    /// Closing the returned browser closes the connection and the contexts it made, not the browser.
    public static func connect(to endpoint: String, _ configuration: Configuration = Configuration()) async throws -> ChromiumBrowser {
        var configuration = configuration
        configuration.endpoint = endpoint
        let webSocketURL = endpoint.hasPrefix("ws://") ? endpoint : try DevToolsEndpoint.browserWebSocketURL(endpoint)
        return try await start(WebSocketTransport(url: webSocketURL, timeout: configuration.commandTimeout), configuration)
    }

    private static func start(_ transport: any DevToolsTransport, _ configuration: Configuration) async throws -> ChromiumBrowser {
        let connection = DevToolsConnection(transport: transport, defaultTimeout: configuration.commandTimeout)
        let gate = NewTargetGate(connection: connection)
        do {
            try await connection.call("Browser.getVersion", timeout: 30)
            try await gate.start()
        } catch {
            connection.close()
            throw error
        }
        return ChromiumBrowser(configuration: configuration, connection: connection, gate: gate)
    }

    /// The browser's version string, e.g. `Chrome/156.0.8078.79`.
    public func version() async throws -> String {
        struct Version: Decodable { let product: String }
        let v: Version = try await connection.send("Browser.getVersion")
        return v.product
    }

    public var isAlive: Bool { !connection.isClosed }

    /// A new environment in a fresh browser context; with an `allowlist`, its tabs load no page
    /// outside it (as the native browser's `allowedURLPrefixes`). `marksScriptClickables` marks the
    /// elements only a script makes clickable (`ScriptClickable`): MiniWoB++ turns it on, as its controls
    /// are mostly such elements; elsewhere it stays off, so observations keep WebArena's format.
    public func makeEnvironment(allowlist: URLAllowlist? = nil, marksScriptClickables: Bool = false) -> ChromiumEnvironment {
        ChromiumEnvironment(browser: self, allowlist: allowlist, marksScriptClickables: marksScriptClickables)
    }

    /// Ends the browser and every process it started; for a browser connected to, the connection.
    public func close() {
        connection.close()
    }
}
