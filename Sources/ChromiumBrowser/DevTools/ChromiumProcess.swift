import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A headless Chromium child process speaking the DevTools protocol over a pipe pair
/// (`--remote-debugging-pipe`: it reads commands on fd 3 and writes replies on fd 4).
///
/// The child runs in its own process group so that `terminate()` also ends the renderer,
/// GPU and zygote processes it forks; a hung page can never outlive its browser.
public final class ChromiumProcess: @unchecked Sendable {
    public let pid: pid_t
    /// Our end of the pipe Chromium reads commands from.
    let commandFD: Int32
    /// Our end of the pipe Chromium writes replies and events to.
    let replyFD: Int32
    let profileDirectory: URL
    /// Kills Chromium's process group if nnetnav dies without `terminate()` (crash, kill -9).
    private let watchdog: ProcessGroupWatchdog?
    private let lock = NSLock()
    private var terminated = false

    /// Debian installs `/usr/bin/chromium`; `CHROMIUM_PATH` overrides.
    public static func locateExecutable() -> String? {
        var candidates: [String] = []
        if let path = ProcessInfo.processInfo.environment["CHROMIUM_PATH"], !path.isEmpty { candidates.append(path) }
        candidates += ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome",
                       "/usr/lib/chromium/chromium"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public static let defaultArguments = [
        "--headless", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync",
        "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
        "--disable-breakpad", "--mute-audio", "--hide-scrollbars", "--metrics-recording-only",
        "--password-store=basic", "--use-mock-keychain", "--allow-file-access-from-files",
        "--disable-features=Translate,MediaRouter,OptimizationHints,AutofillServerCommunication",
    ]

    /// Starts Chromium with a fresh temporary profile and the given window size.
    public init(executable: String, windowSize: (width: Int, height: Int), extraArguments: [String] = []) throws {
        let profile = FileManager.default.temporaryDirectory
            .appendingPathComponent("nnetnav-chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        profileDirectory = profile

        var toChild: [Int32] = [0, 0]
        var fromChild: [Int32] = [0, 0]
        // Glibc's module map hides pipe2, so close-on-exec is set right after: our ends must not
        // leak into other children, or a pool's browsers would keep each other's pipes open.
        guard pipe(&toChild) == 0, pipe(&fromChild) == 0 else {
            throw ChromiumError.launchFailed("pipe: \(String(cString: strerror(errno)))")
        }
        for fd in toChild + fromChild { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // dup2 clears close-on-exec on the target descriptors, so only fds 3 and 4 reach the child.
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 3)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 4)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)

        let arguments = [executable] + Self.defaultArguments + [
            "--user-data-dir=\(profile.path)",
            "--window-size=\(windowSize.width),\(windowSize.height)",
        ] + extraArguments + ["about:blank"]
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }

        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        close(toChild[0])
        close(fromChild[1])
        guard status == 0 else {
            close(toChild[1]); close(fromChild[0])
            throw ChromiumError.launchFailed("posix_spawn \(executable): \(String(cString: strerror(status)))")
        }
        pid = child
        commandFD = toChild[1]
        replyFD = fromChild[0]
        do {
            watchdog = try ProcessGroupWatchdog(guarding: child)
        } catch {
            kill(-child, SIGKILL)
            kill(child, SIGKILL)
            var status: Int32 = 0
            waitpid(child, &status, 0)
            close(commandFD)
            close(replyFD)
            try? FileManager.default.removeItem(at: profile)
            throw error
        }
    }

    /// Kills the whole process group, reaps the child and removes the profile. Idempotent.
    public func terminate() {
        lock.lock()
        let already = terminated
        terminated = true
        lock.unlock()
        if already { return }
        watchdog?.stop()
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
        close(commandFD)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        close(replyFD)
        try? FileManager.default.removeItem(at: profileDirectory)
    }

    deinit { terminate() }
}

public enum ChromiumError: Error, CustomStringConvertible, Sendable {
    case notInstalled
    case launchFailed(String)
    case timeout(method: String, seconds: Double)
    case protocolError(method: String, message: String)
    case disconnected
    case javaScript(String)
    case unusable(String)

    public var description: String {
        switch self {
        case .notInstalled:
            "Chromium is not installed: run `apt-get install -y chromium` (or set CHROMIUM_PATH)"
        case .launchFailed(let why): "could not start Chromium: \(why)"
        case .timeout(let method, let seconds): "Chromium did not answer \(method) within \(seconds) s"
        case .protocolError(let method, let message): "DevTools \(method) failed: \(message)"
        case .disconnected: "the Chromium process exited or closed its DevTools pipe"
        case .javaScript(let message): "page script failed: \(message)"
        case .unusable(let why): "browser unusable: \(why)"
        }
    }
}
