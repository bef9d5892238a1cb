import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The crawl store's single-writer lock: an exclusive `flock` on `<store>.lock`. The kernel drops
/// it when the holder exits, so a crashed crawl never leaves a stale lock; the file holds the
/// holder's pid for the error message.
final class StoreWriterLock: @unchecked Sendable {
    let lockPath: String
    private let descriptor: Int32

    init(storePath: String) throws {
        lockPath = storePath + ".lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw CrawlStoreError.corrupt("cannot open the lock file \(lockPath): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: lockPath, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
            close(fd)
            throw CrawlStoreError.inUse(path: storePath, holder: holder.map { $0.isEmpty ? "unknown process" : $0 }
                                        ?? "unknown process")
        }
        descriptor = fd
        let note = "pid \(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = note.withCString { write(fd, $0, strlen($0)) }
    }

    deinit {
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

