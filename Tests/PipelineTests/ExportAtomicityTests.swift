import XCTest
import TestSupport
import NNetnavSupport
@testable import Pipeline

/// The four dataset files are replaced as one set (issue 14 item 5).
final class ExportAtomicityTests: XCTestCase {
    private func workspace() throws -> URL {
        let parent = try CrawlFixtures.temporaryDirectory()
        addTeardownBlock { try? FileManager.default.removeItem(at: parent) }
        return parent
    }

    private func contents(_ dir: URL) throws -> [String: String] {
        var out: [String: String] = [:]
        for name in DatasetExporter.fileNames {
            out[name] = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
        }
        return out
    }

    func testAnExportReplacesTheFourFilesWithOneSwitch() throws {
        let dir = try workspace().appendingPathComponent("dataset")
        let exporter = DatasetExporter(studentPrompt: StudentPrompt(template: CrawlFixtures.prompts.studentPolicy))
        _ = try exporter.export([], to: dir)
        _ = try exporter.export([], to: dir)
        XCTAssertEqual(Set(try contents(dir).keys), DatasetExporter.fileNames)
        let target = try FileManager.default.destinationOfSymbolicLink(atPath: dir.path)
        let sets = try FileManager.default.contentsOfDirectory(atPath: dir.deletingLastPathComponent().path).filter { $0.hasPrefix(".dataset.set-") }
        XCTAssertEqual(sets, [target], "readers go through one link; the previous set is gone")
    }

    func testAKilledExportLeavesThePreviousCompleteSet() throws {
        let dir = try workspace().appendingPathComponent("dataset")
        let exporter = DatasetExporter(studentPrompt: StudentPrompt(template: CrawlFixtures.prompts.studentPolicy))
        _ = try exporter.export([], to: dir)
        let before = try contents(dir)
        struct Killed: Error {}
        XCTAssertThrowsError(try AtomicDirectory.replace(dir, ownedFiles: DatasetExporter.fileNames) { folder in
            try Data("{\"half\":true}\n".utf8).write(to: folder.appendingPathComponent("sft_train.jsonl"))
            throw Killed()
        })
        XCTAssertEqual(try contents(dir), before, "no file of the interrupted export is visible")
    }

    func testAnOlderPlainDatasetFolderIsTakenOverButForeignFilesAreNotMoved() throws {
        let parent = try workspace()
        let legacy = parent.appendingPathComponent("legacy")
        try FileManager.default.createDirectory(at: legacy, withIntermediateDirectories: true)
        for name in DatasetExporter.fileNames { try Data("old\n".utf8).write(to: legacy.appendingPathComponent(name)) }
        let exporter = DatasetExporter(studentPrompt: StudentPrompt(template: CrawlFixtures.prompts.studentPolicy))
        _ = try exporter.export([], to: legacy)
        XCTAssertEqual(try contents(legacy)["sft_train.jsonl"], "")

        let mixed = parent.appendingPathComponent("mixed")
        try FileManager.default.createDirectory(at: mixed, withIntermediateDirectories: true)
        try Data("notes".utf8).write(to: mixed.appendingPathComponent("README.md"))
        XCTAssertThrowsError(try exporter.export([], to: mixed)) { error in
            XCTAssertTrue("\(error)".contains("README.md"), "\(error)")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: mixed.appendingPathComponent("README.md").path))
    }
}
