import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Replaces a directory's whole content at once: the new files are written into a fresh sibling
/// folder `.NAME.set-ID`, fsynced, and `NAME` (a symlink) is switched to it with one rename(2). A
/// reader or a kill at any moment sees either the complete old set or the complete new one, never a
/// mix. Used for training checkpoints and exported datasets, whose files only make sense together.
///
/// Paths through `NAME/...` keep working for readers. A real directory at `NAME` (written before this
/// layout) holding only files named in `ownedFiles` is moved aside once and replaced by the link;
/// one holding anything else is refused rather than moved.
public enum AtomicDirectory {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func replace(_ directory: URL, ownedFiles: Set<String>, fill: (URL) throws -> Void) throws {
        let fm = FileManager.default
        let parent = directory.deletingLastPathComponent()
        let name = directory.lastPathComponent
        try fm.createDirectory(at: parent, withIntermediateDirectories: true)
        let setPrefix = ".\(name).set-"
        let setName = setPrefix + UUID().uuidString.prefix(12).lowercased()
        let folder = parent.appendingPathComponent(setName, isDirectory: true)
        try fm.createDirectory(at: folder, withIntermediateDirectories: false)
        do {
            try fill(folder)
            for file in try fm.contentsOfDirectory(atPath: folder.path) { try sync(folder.appendingPathComponent(file)) }
            try sync(folder)
        } catch {
            try? fm.removeItem(at: folder)
            throw error
        }

        let isLink = (try? fm.destinationOfSymbolicLink(atPath: directory.path)) != nil
        var isDirectory: ObjCBool = false
        if !isLink, fm.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
            let entries = isDirectory.boolValue ? try fm.contentsOfDirectory(atPath: directory.path) : [name]
            let foreign = entries.filter { !ownedFiles.contains($0) }
            guard isDirectory.boolValue, foreign.isEmpty else {
                try? fm.removeItem(at: folder)
                throw Failure(description: "\(directory.path) holds other files (\(foreign.prefix(3).joined(separator: ", "))); write into a folder of its own")
            }
            try fm.moveItem(at: directory, to: parent.appendingPathComponent(setPrefix + "legacy-" + UUID().uuidString.prefix(8).lowercased()))
        }
        let temporaryLink = parent.appendingPathComponent(".\(name).link-\(setName)")
        try? fm.removeItem(at: temporaryLink)
        try fm.createSymbolicLink(atPath: temporaryLink.path, withDestinationPath: setName)
        guard rename(temporaryLink.path, directory.path) == 0 else {
            let why = String(cString: strerror(errno))
            try? fm.removeItem(at: temporaryLink)
            try? fm.removeItem(at: folder)
            throw Failure(description: "could not switch \(directory.path) to its new content: \(why)")
        }
        try sync(parent)
        // Earlier sets, and any a killed writer left half-written, are no longer referenced.
        for entry in (try? fm.contentsOfDirectory(atPath: parent.path)) ?? [] where entry.hasPrefix(setPrefix) && entry != setName {
            try? fm.removeItem(at: parent.appendingPathComponent(entry))
        }
    }

    /// fsync of a file or a directory (for a directory: its entries).
    public static func sync(_ url: URL) throws {
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { throw Failure(description: "cannot open \(url.path) to sync it: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw Failure(description: "fsync of \(url.path) failed: \(String(cString: strerror(errno)))") }
    }
}
