import ChromiumBrowser
import Foundation

/// A page as a person sees it: `chromium --headless` loads a URL (a served page or a `file://`
/// report) and takes a screenshot, or dumps the DOM after scripts ran. The viewer's and the
/// reports' rendering tests share it, so "renders without console errors" means the same thing
/// for every page.
public enum HeadlessPageRender {
    public struct Screenshot {
        public var png: Data
        /// Console messages, uncaught exceptions and Content-Security-Policy violations Chromium logged.
        public var consoleErrors: [String]
    }

    /// Loads `url` in a 1280-wide window and screenshots it (`height` pixels tall) into `file`.
    public static func screenshot(chromium: String, url: String, to file: String, height: Int = 900) throws -> Screenshot {
        let log = try run(chromium: chromium, arguments: ["--enable-logging=stderr", "--v=0", "--window-size=1280,\(height)",
                                                          "--screenshot=\(file)", url], output: .stderr)
        let errors = log.split(separator: "\n").map(String.init).filter {
            $0.contains("CONSOLE") || $0.contains("Uncaught") || $0.contains("Content Security Policy")
        }
        return Screenshot(png: try Data(contentsOf: URL(fileURLWithPath: file)), consoleErrors: errors)
    }

    /// The page's DOM after load, as serialized by Chromium (shows what any script did to it).
    public static func domAfterLoad(chromium: String, url: String) throws -> String {
        try run(chromium: chromium, arguments: ["--dump-dom", url], output: .stdout)
    }

    enum Output { case stdout, stderr }

    /// Runs Chromium off the cooperative pool with a throwaway profile and returns one of its streams.
    static func run(chromium: String, arguments: [String], output: Output) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("render-profile-\(UUID().uuidString)").path
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile)"] + arguments
        let pipe = Pipe()
        switch output {
        case .stdout: process.standardOutput = pipe; process.standardError = FileHandle.nullDevice
        case .stderr: process.standardError = pipe; process.standardOutput = FileHandle.nullDevice
        }
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: profile)
        return String(decoding: data, as: UTF8.self)
    }
}
