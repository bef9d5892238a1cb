import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Kills a child's process group when this process dies, however it dies (`kill -9` included).
///
/// A small `/bin/sh` in a process group of its own blocks reading a pipe whose only write end this
/// process holds (close-on-exec, so no other child inherits it). When this process exits the kernel
/// closes that end, the read returns, and the watchdog sends SIGKILL to the guarded group. Chromium
/// forks renderer and GPU processes that would otherwise be left running, orphaned, for good.
final class ProcessGroupWatchdog: @unchecked Sendable {
    let pid: pid_t
    private let writeFD: Int32
    private let lock = NSLock()
    private var stopped = false

    /// Starts guarding process group `group` (a child started with its own group, e.g. POSIX_SPAWN_SETPGROUP 0).
    init(guarding group: pid_t) throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw ChromiumError.launchFailed("watchdog pipe: \(String(cString: strerror(errno)))") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own group: the terminal's Ctrl-C (sent to our group) must not take the watchdog first.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)

        // `read` returns at end of file, i.e. when our write end is gone; signals to the shell are ignored.
        // (dash's kill takes neither `--` nor `-KILL` before a negative pid; `-9 -PGID` works everywhere.)
        let script = "trap '' INT TERM HUP; read -r line; kill -9 -\(group) 2>/dev/null; exit 0"
        let arguments = ["/bin/sh", "-c", script]
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, "/bin/sh", &actions, &attributes, argv, environ)
        close(fds[0])
        guard status == 0 else {
            close(fds[1])
            throw ChromiumError.launchFailed("watchdog: posix_spawn /bin/sh: \(String(cString: strerror(status)))")
        }
        pid = child
        writeFD = fds[1]
    }

    /// Stops the watchdog without firing it (the guarded group is being ended normally), and reaps it.
    func stop() {
        let already = lock.withLock { defer { stopped = true }; return stopped }
        if already { return }
        kill(pid, SIGKILL)
        close(writeFD)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    /// What the kernel does when this process dies: close the write end, so the watchdog fires.
    /// (Tests use it to stand in for a `kill -9` of nnetnav.)
    func simulateOwnerDeath() {
        let already = lock.withLock { defer { stopped = true }; return stopped }
        if already { return }
        close(writeFD)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    deinit { stop() }
}
