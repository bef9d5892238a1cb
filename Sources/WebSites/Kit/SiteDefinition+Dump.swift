import Foundation
import GRDB

extension SiteDefinition {
    /// Writes this site's database, seeded with `seed`, to `file` (replacing it), for authoring
    /// tasks and checks against the content the sites serve (`nnetnav env dump`).
    public func writeSeededDatabase(seed: UInt64, to file: URL) throws {
        try? FileManager.default.removeItem(at: file)
        let queue = try DatabaseQueue(path: file.path)
        try queue.write { try populate($0, seed) }
        try queue.close()
    }
}
