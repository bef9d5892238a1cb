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
}
