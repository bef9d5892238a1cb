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

    /// `--reuse-scores`: a second selection from an earlier run's per-row degradation and clusters, with no
    /// model run (only the embedded tokenizer, for token counts); `--stratify-actions` keeps each cluster's mix.
    func testSelectReusesEarlierScoresAndStratifiesByAction() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("select-reuse-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let n = 20
        let isStop = { (i: Int) in i % 4 == 0 }
        let lines = (0..<n).map { i in
            let answer = isStop(i) ? "stop [answer \(i)]" : "click [\(i)]"
            return #"{"messages":[{"role":"user","content":"objective \#(i) page \#(i * 7)"},{"role":"assistant","content":"```\#(answer)```"}]}"#
        }
        let pool = folder.appendingPathComponent("pool.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: pool, atomically: true, encoding: .utf8)
        // Stops degraded most; two clusters, even rows (5 stops, 5 clicks, mean 0.3: 6 of the 8) and odd rows (clicks, 2).
        let degradation = (0..<n).map { (isStop($0) ? 0.5 : 0.1) + 0.001 * Double($0) }
        let earlier: [String: Any] = [
            "pool": n, "scored": n, "budget": 4, "selectedLines": [1, 5, 9, 13], "degradation": "jsd", "rowDegradation": degradation,
            "result": ["selected": [0, 4, 8, 12], "clusterOfRow": (0..<n).map { $0 % 2 }, "clusterSizes": [10, 10],
                       "clusterDegradation": [0.3, 0.1], "allocation": [4, 0], "conflicts": [Int]()],
        ]
        let scores = folder.appendingPathComponent("selection.json")
        try JSONSerialization.data(withJSONObject: earlier).write(to: scores)
        for (stratify, expectedStops) in [(false, 5), (true, 3)] {
            let out = folder.appendingPathComponent(stratify ? "strat" : "plain").path
            let select = try XCTUnwrap(NNetnav.parseAsRoot(["select", "--budget", "40%", "--data", pool.path, "--reuse-scores", scores.path,
                                                            "--out", out] + (stratify ? ["--stratify-actions"] : [])) as? SelectCommand)
            try await select.run()
            let chosen = try String(contentsOfFile: out + "/selected.jsonl", encoding: .utf8).split(separator: "\n")
            XCTAssertEqual(chosen.count, 8)
            XCTAssertEqual(chosen.filter { $0.contains("stop [") }.count, expectedStops, "stratified: \(stratify)")
        }
        XCTAssertThrowsError(try NNetnav.parseAsRoot(["select", "--budget", "10%", "--data", pool.path, "--reuse-scores",
                                                      folder.appendingPathComponent("missing.json").path, "--out", "x"]))
        // A random selection's report holds no scores: refused with a message naming the file.
        let random = try XCTUnwrap(NNetnav.parseAsRoot(["select", "--strategy", "random", "--budget", "2", "--data", pool.path,
                                                        "--out", folder.appendingPathComponent("random").path]) as? SelectCommand)
        try await random.run()
        let reuse = try XCTUnwrap(NNetnav.parseAsRoot(["select", "--budget", "2", "--data", pool.path, "--reuse-scores",
                                                       folder.appendingPathComponent("random/selection.json").path, "--out", "y"]) as? SelectCommand)
        do {
            try await reuse.run()
            XCTFail("a random selection's report was accepted as scores")
        } catch {
            XCTAssertTrue("\(error)".contains("not the selection.json of a paser run"), "\(error)")
        }
    }
}
