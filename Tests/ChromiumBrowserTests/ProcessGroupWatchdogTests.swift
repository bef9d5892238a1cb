import Foundation
import XCTest
@testable import ChromiumBrowser

/// Chromium never outlives nnetnav (issue 14 item 7): the watchdog kills the guarded process group
/// when its owner's pipe end closes, which the kernel does on any death of the owner, kill -9 included.
final class ProcessGroupWatchdogTests: XCTestCase {
    /// `sleep 600` in a process group of its own, like Chromium and the processes it forks.
    private func spawnGroupLeader() throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let arguments: [String] = ["/bin/sh", "-c", "sleep 600 & sleep 600"]
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/bin/sh", nil, &attributes, argv, environ) == 0 else { throw XCTSkip("cannot spawn /bin/sh") }
        return pid
    }

    private func exits(_ pid: pid_t, within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var status: Int32 = 0
        while Date() < deadline {
            if waitpid(pid, &status, WNOHANG) == pid { return true }
            usleep(20_000)
        }
        return false
    }

    /// Processes of a group that are not zombies (a container's init may be slow to reap orphans).
    private func livingMembers(ofGroup group: pid_t) -> Int {
        let deadline = Date().addingTimeInterval(3)
        var count = 0
        repeat {
            count = 0
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int32(entry) != nil {
                guard let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                      let close = stat.lastIndex(of: ")") else { continue }
                let fields = stat[stat.index(after: close)...].split(separator: " ")
                if fields.count > 2, fields[0] != "Z", Int32(fields[2]) == group { count += 1 }
            }
            if count == 0 { return 0 }
            usleep(50_000)
        } while Date() < deadline
        return count
    }

    func testTheGroupDiesWhenItsOwnerDies() throws {
        let leader = try spawnGroupLeader()
        let watchdog = try ProcessGroupWatchdog(guarding: leader)
        usleep(100_000)
        XCTAssertEqual(kill(leader, 0), 0, "running while the owner lives")
        watchdog.simulateOwnerDeath()
        XCTAssertTrue(exits(leader, within: 5), "killed within seconds of the owner's death")
        XCTAssertEqual(livingMembers(ofGroup: leader), 0, "and every process of its group with it")
    }

    func testStoppingTheWatchdogLeavesTheGroupAlone() throws {
        let leader = try spawnGroupLeader()
        let watchdog = try ProcessGroupWatchdog(guarding: leader)
        watchdog.stop()
        usleep(300_000)
        XCTAssertEqual(kill(leader, 0), 0, "a normal shutdown does not fire the watchdog")
        kill(-leader, SIGKILL)
        XCTAssertTrue(exits(leader, within: 5))
    }
}
