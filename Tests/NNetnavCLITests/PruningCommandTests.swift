import ArgumentParser
import XCTest
@testable import nnetnav

/// The pruning commands' arguments: patterns, sweeps and budgets parse into typed values; bad ones are refused.
final class PruningCommandTests: XCTestCase {
    func testPruneParsesSweepsAndRefusesDPrunerWithoutDemonstrations() throws {
        let prune = try XCTUnwrap(NNetnav.parseAsRoot(["prune", "--method", "wanda", "--pattern", "2:4", "ffn-channels",
                                                       "--sparsity", "0.3", "0.5", "--out", "x"]) as? PruneCommand)
        XCTAssertEqual(prune.pattern, [.nOfM(n: 2, m: 4), .ffnChannels])
        XCTAssertEqual(prune.sparsity, [0.3, 0.5])
        XCTAssertThrowsError(try NNetnav.parseAsRoot(["prune", "--method", "dpruner", "--out", "x"]))
        XCTAssertThrowsError(try NNetnav.parseAsRoot(["prune", "--pattern", "3:2", "--out", "x"]))
        XCTAssertThrowsError(try NNetnav.parseAsRoot(["prune", "--sparsity", "1.5", "--out", "x"]))
        XCTAssertThrowsError(try NNetnav.parseAsRoot(["prune", "--weight-type", "q3_k", "--out", "x"]))
    }

    func testBudgetsArePercentagesFractionsOrCounts() throws {
        XCTAssertEqual(try XCTUnwrap(BudgetArgument(argument: "10%")).rows(pool: 95), 10)
        XCTAssertEqual(try XCTUnwrap(BudgetArgument(argument: "0.2")).rows(pool: 50), 10)
        XCTAssertEqual(try XCTUnwrap(BudgetArgument(argument: "30")).rows(pool: 20), 20)
        XCTAssertEqual(try XCTUnwrap(BudgetArgument(argument: "1%")).rows(pool: 19), 1, "at least one row")
        XCTAssertNil(BudgetArgument(argument: "150%"))
        XCTAssertNil(BudgetArgument(argument: "-3"))
        XCTAssertNil(BudgetArgument(argument: "some"))
    }

    func testSelectSweepsBudgetsAndNeedsModelsOnlyForPASER() async throws {
        XCTAssertThrowsError(try NNetnav.parseAsRoot(["select", "--budget", "10%", "--data", "/dev/null", "--out", "x"]),
                             "paser needs --dense and --pruned")
        XCTAssertThrowsError(try NNetnav.parseAsRoot(["select", "--strategy", "best", "--budget", "10%", "--data", "/dev/null", "--out", "x"]))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("select-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let pool = folder.appendingPathComponent("pool.jsonl")
        let lines = (0..<20).map { #"{"messages":[{"role":"user","content":"go \#($0)"},{"role":"assistant","content":"click [\#($0)]"}]}"# }
        try (lines.joined(separator: "\n") + "\n").write(to: pool, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("random").path
        let select = try XCTUnwrap(NNetnav.parseAsRoot(["select", "--strategy", "random", "--budget", "10%", "25%",
                                                        "--data", pool.path, "--out", out]) as? SelectCommand)
        try await select.run()
        let small = try String(contentsOfFile: out + "/budget-10%/selected.jsonl", encoding: .utf8).split(separator: "\n").map(String.init)
        let large = try String(contentsOfFile: out + "/budget-25%/selected.jsonl", encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(small.count, 2)
        XCTAssertEqual(large.count, 5)
        XCTAssertEqual(Array(large.prefix(2)), small, "one seeded order: the smaller budget is a prefix of the larger")
        XCTAssertTrue(Set(large).isSubset(of: Set(lines)), "rows are copied unchanged")
        XCTAssertEqual(Set(large).count, 5, "no row twice")
    }
}
