import Foundation
import NNetnavSupport

/// What a checkpoint set was made from and holds, written beside its files as `manifest.json`:
/// `--resume` checks that the weights, moments and state are the ones written together and that
/// the run's options and data are unchanged.
public struct CheckpointManifest: Codable, Sendable, Equatable {
    /// Digest of each file of the set, by file name.
    public var files: [String: String]
    /// Digest of the packed training rows (data, tokenizer, split and sequence length together).
    public var dataFingerprint: String?
    public var step: Int
}

/// 64-bit FNV-1a over file bytes, as 16 hex digits: a fast fingerprint to tell one file or data set
/// from another (not a defence against someone forging files).
public struct ContentDigest {
    private var hash: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var h = hash
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        hash = h
    }

    public mutating func update<T>(_ values: [T]) { values.withUnsafeBytes { update($0) } }

    public var hex: String { String(format: "%016llx", hash) }

    public static func file(_ url: URL) throws -> String {
        let data = try Data(contentsOf: url, options: .alwaysMapped)
        var digest = ContentDigest()
        data.withUnsafeBytes { digest.update($0) }
        return digest.hex
    }

    /// Fingerprint of packed rows: what the run trains on.
    public static func rows(_ rows: [PackedRow]) -> String {
        var digest = ContentDigest()
        for row in rows {
            digest.update(row.tokens); digest.update(row.targets); digest.update(row.positions); digest.update(row.docStart)
            if let weights = row.targetWeights { digest.update(weights) }
        }
        return digest.hex
    }
}

/// The checkpoint set's place and its files, for `AtomicDirectory`.
enum CheckpointSetWriter {
    static let linkName = "checkpoint"
    static let files: Set<String> = ["model.safetensors", "adapter.safetensors", "optimizer.safetensors",
                                     "trainer_state.json", "manifest.json"]

    /// Writes a new set (`fill` gets its folder) and switches `parent/checkpoint` to it.
    static func write(in parent: URL, fill: (URL) throws -> Void) throws {
        try AtomicDirectory.replace(parent.appendingPathComponent(linkName), ownedFiles: files, fill: fill)
    }
}
