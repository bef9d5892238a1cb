import Foundation
import NNetnavSupport

/// An evaluation's results as they happen: `episodes.jsonl` in the output folder gets one line
/// per finished episode, written and fsync'd before the next one is reported, next to
/// `evaluation.json` (the `EvaluationSettings` they were produced under). A killed evaluation
/// loses at most the episodes in flight; rerunning it skips every key already in the file.
///
/// A line cut short by a kill during its write is dropped when the folder is opened again, so
/// the file always holds whole lines.
///
/// One evaluation at a time owns a folder: an exclusive `flock` on `.lock`, held while the
/// journal lives and released by the kernel however the process ends (kill -9 included). A
/// second process on the same folder is refused instead of interleaving its episodes (and
/// repeating the first's work) in the same file.
public final class EvaluationJournal: @unchecked Sendable {
    public static let episodesFile = "episodes.jsonl"
    public static let settingsFile = "evaluation.json"
    public static let lockFile = ".lock"

    public let directory: URL
    public let settings: EvaluationSettings
    /// Episodes already in the folder when it was opened, in the order they finished.
    public let previous: [TaskEpisode]
    private let lock = NSLock()
    private var descriptor: Int32
    private let lockDescriptor: Int32
    private let encoder = JSONLines.encoder()

    /// Opens (creating) `directory` for results under `settings`. Throws
    /// `EvaluationJournalError.changedConfiguration` if the folder holds results of other settings.
    public init(directory: URL, settings: EvaluationSettings) throws {
        self.directory = directory
        self.settings = settings
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let held = try Self.lock(directory)
        do {
            (previous, descriptor) = try Self.openFolder(directory, settings: settings)
            lockDescriptor = held
        } catch {
            close(held)
            throw error
        }
    }

    /// The exclusive hold on `directory` (see the type's note), or `inUse`.
    static func lock(_ directory: URL) throws -> Int32 {
        let path = directory.appendingPathComponent(lockFile).path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw EvaluationJournalError.io(path, String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(fd)
            if reason == EWOULDBLOCK { throw EvaluationJournalError.inUse(directory: directory.path, holder: holder ?? "") }
            throw EvaluationJournalError.io(path, String(cString: strerror(reason)))
        }
        // Who holds it, for a refusal's message.
        let note = Array("pid \(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = note.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return fd
    }

    /// Checks the folder's settings against `settings` (writing them into a new folder), reads the
    /// finished episodes (dropping a torn last line) and opens the file for appending.
    private static func openFolder(_ directory: URL, settings: EvaluationSettings) throws -> ([TaskEpisode], Int32) {
        let fm = FileManager.default
        let settingsURL = directory.appendingPathComponent(settingsFile)
        let episodesURL = directory.appendingPathComponent(episodesFile)
        if fm.fileExists(atPath: settingsURL.path) {
            let stored = try Self.settings(in: directory)
            let differences = settings.differences(from: stored)
            guard differences.isEmpty else {
                throw EvaluationJournalError.changedConfiguration(directory: directory.path, differences: differences)
            }
        } else if fm.fileExists(atPath: episodesURL.path) {
            throw EvaluationJournalError.unknownConfiguration(directory: directory.path)
        } else {
            try JSONLines.encoder().encode(settings).write(to: settingsURL, options: .atomic)
        }
        let previous = try readEpisodes(in: directory, repairing: true)
        let descriptor = Foundation.open(episodesURL.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw EvaluationJournalError.io(episodesURL.path, String(cString: strerror(errno))) }
        // Make the new file's directory entry durable too.
        let dir = Foundation.open(directory.path, O_RDONLY | O_CLOEXEC)
        if dir >= 0 { fsync(dir); close(dir) }
        return (previous, descriptor)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        close(lockDescriptor)
    }

    /// Keys of the episodes already in the folder.
    public var finishedKeys: Set<String> { Set(previous.compactMap(\.key)) }

    /// Appends one finished episode and waits until it is on disk.
    public func append(_ episode: TaskEpisode) throws {
        var line = try encoder.encode(episode)
        line.append(0x0A)
        try lock.withLock {
            let path = directory.appendingPathComponent(Self.episodesFile).path
            let written = line.withUnsafeBytes { buffer -> Int in
                var offset = 0
                while offset < buffer.count {
                    let n = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if n < 0 { if errno == EINTR { continue }; return -1 }
                    offset += n
                }
                return offset
            }
            guard written == line.count, fsync(descriptor) == 0 else {
                throw EvaluationJournalError.io(path, String(cString: strerror(errno)))
            }
        }
    }

    /// The settings stored in an evaluation folder.
    public static func settings(in directory: URL) throws -> EvaluationSettings {
        let url = directory.appendingPathComponent(settingsFile)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw EvaluationJournalError.notAnEvaluation(directory: directory.path)
        }
        do { return try JSONDecoder().decode(EvaluationSettings.self, from: Data(contentsOf: url)) } catch {
            throw EvaluationJournalError.io(url.path, "not valid evaluation settings: \(error)")
        }
    }

    /// The episodes in an evaluation folder, in the order they finished. A last line without its
    /// newline is a write cut short by a kill: ignored, and with `repairing` cut off the file.
    public static func readEpisodes(in directory: URL, repairing: Bool = false) throws -> [TaskEpisode] {
        let url = directory.appendingPathComponent(episodesFile)
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let data = try Data(contentsOf: url)
        let complete = data.lastIndex(of: 0x0A).map { data.startIndex ..< $0 + 1 } ?? data.startIndex ..< data.startIndex
        if repairing && complete.count < data.count {
            guard truncate(url.path, off_t(complete.count)) == 0 else {
                throw EvaluationJournalError.io(url.path, String(cString: strerror(errno)))
            }
        }
        let decoder = JSONDecoder()
        var episodes: [TaskEpisode] = []
        for (index, line) in data[complete].split(separator: 0x0A, omittingEmptySubsequences: false).enumerated()
        where !line.isEmpty {
            do { episodes.append(try decoder.decode(TaskEpisode.self, from: Data(line))) } catch {
                throw JSONLinesError.badLine(file: url.path, line: index + 1, underlying: "\(error)")
            }
        }
        return episodes
    }
}

public enum EvaluationJournalError: Error, CustomStringConvertible, Sendable {
    case changedConfiguration(directory: String, differences: [String])
    case unknownConfiguration(directory: String)
    case notAnEvaluation(directory: String)
    case inUse(directory: String, holder: String)
    case io(String, String)

    public var description: String {
        switch self {
        case .changedConfiguration(let directory, let differences):
            "\(directory) holds results of another configuration, so they cannot be resumed: "
                + differences.joined(separator: "; ")
                + ". Rerun with the folder's settings, or choose another --out (or delete the folder) to start over."
        case .unknownConfiguration(let directory):
            "\(directory) holds episodes.jsonl but no \(EvaluationJournal.settingsFile) (written by an older nnetnav), "
                + "so its results cannot be resumed safely: choose another --out or delete the folder"
        case .notAnEvaluation(let directory):
            "\(directory) is not an evaluation folder: it has no \(EvaluationJournal.settingsFile)"
        case .inUse(let directory, let holder):
            "\(directory) is being written by another evaluation" + (holder.isEmpty ? "" : " (\(holder))")
                + ": wait for it to end (or stop it), or choose another --out"
        case .io(let path, let reason):
            "\(path): \(reason)"
        }
    }
}
