import Foundation
import GRDB

/// The cached, seeded database every instance starts from and is reset to.
enum PristineDatabase {
    /// The pristine file for this database, seed and schema version, building it if missing.
    /// Built under a temporary name and renamed, so an interrupted build never leaves a bad cache.
    static func ensure(database: String, schemaVersion: Int, seed: UInt64, in directory: URL,
                       populate: @Sendable (Database, UInt64) throws -> Void) throws -> URL {
        let folder = directory.appendingPathComponent("pristine", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("\(database)-v\(schemaVersion)-seed\(seed).sqlite")
        if FileManager.default.fileExists(atPath: file.path) { return file }

        let temp = folder.appendingPathComponent("\(database)-\(UUID().uuidString).building")
        defer { try? FileManager.default.removeItem(at: temp) }
        do {
            let queue = try DatabaseQueue(path: temp.path)
            try queue.write { db in try populate(db, seed) }
            try queue.vacuum()
            try queue.close()
        }
        do {
            try FileManager.default.moveItem(at: temp, to: file)
        } catch where FileManager.default.fileExists(atPath: file.path) {
            // Another process built it at the same time; theirs is identical.
        }
        return file
    }
}
