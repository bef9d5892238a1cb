import Foundation
import NNetnavSupport
import WebBrowser

/// Where MiniWoB++'s task pages live on disk. They are fetched from PyPI by `scripts/miniwob.sh`
/// into a cache that is not committed (`$NNETNAV_CACHE/miniwob-html`, else `runs/miniwob-html`).
public struct MiniWoBPages: Sendable {
    /// The folder holding `miniwob/<task>.html`, `core/` and `common/`.
    public let root: URL

    public init(root: URL) { self.root = root }

    public static var defaultCache: URL {
        if let cache = ProcessInfo.processInfo.environment["NNETNAV_CACHE"], !cache.isEmpty {
            return URL(fileURLWithPath: cache).appendingPathComponent("miniwob-html")
        }
        return ProjectLayout.current.runs.appendingPathComponent("miniwob-html")
    }

    /// The pages if they are already in the cache (no network).
    public static func cached(in cache: URL = defaultCache) -> MiniWoBPages? {
        let root = cache.appendingPathComponent("miniwob-1.1.0/html")
        let probe = root.appendingPathComponent("miniwob/login-user.html")
        return FileManager.default.fileExists(atPath: probe.path) ? MiniWoBPages(root: root) : nil
    }

    /// The cached pages, fetching them with `scripts/miniwob.sh` (pip, ~2 MB) when missing.
    public static func prepare(in cache: URL = defaultCache) throws -> MiniWoBPages {
        if let pages = cached(in: cache) { return pages }
        let script = ProjectLayout.current.root.appendingPathComponent("scripts/miniwob.sh")
        guard FileManager.default.fileExists(atPath: script.path) else {
            throw MiniWoBError.pagesMissing("\(script.path) not found")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script.path, cache.path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let pages = cached(in: cache) else {
            throw MiniWoBError.pagesMissing(String(decoding: message, as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return pages
    }

    public func page(for task: String) throws -> URL {
        let file = root.appendingPathComponent("miniwob/\(task).html")
        guard !task.contains("/"), FileManager.default.fileExists(atPath: file.path) else {
            throw MiniWoBError.unknownTask(task)
        }
        return file
    }

    /// What an episode of `task` may load: its own page and the scripts, styles and images all
    /// tasks share (`core/`, `common/`); no web host and no other file.
    public func allowlist(for task: String) -> WebBrowser.URLAllowlist {
        let folder = root.standardizedFileURL.path
        return .files([folder + "/miniwob/\(task).html", folder + "/core/", folder + "/common/"])
    }

    /// Every task page in the cache.
    public func availableTasks() -> [String] {
        let dir = root.appendingPathComponent("miniwob")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return files.filter { $0.hasSuffix(".html") }.map { String($0.dropLast(5)) }.sorted()
    }
}
