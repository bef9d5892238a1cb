import ArgumentParser
import LanguageModels
import XCTest
@testable import nnetnav

/// The command line as users type it: shared options parse once, into typed values, on every
/// command that needs them.
final class CommandOptionTests: XCTestCase {
    /// Issue 13, item 11: the README documents `--cache-mode replay`, but no command had it.
    func testEveryCommandThatCallsAModelTakesTheCacheModes() throws {
        for mode in CachedChatModel.Mode.allCases {
            let run = try XCTUnwrap(NNetnav.parseAsRoot(["run", "--cache-mode", mode.rawValue]) as? RunCommand)
            XCTAssertEqual(run.cacheMode, mode)
            let explore = try XCTUnwrap(NNetnav.parseAsRoot(["explore", "--cache-mode", mode.rawValue]) as? ExploreCommand)
            XCTAssertEqual(explore.cacheOptions.cacheMode, mode)
            let eval = try XCTUnwrap(NNetnav.parseAsRoot(["eval", "--cache-mode", mode.rawValue]) as? EvalCommand)
            XCTAssertEqual(eval.cacheOptions.cacheMode, mode)
        }
        let explore = try XCTUnwrap(NNetnav.parseAsRoot(["explore"]) as? ExploreCommand)
        XCTAssertEqual(explore.cacheOptions.cacheMode, .readWrite, "read-write is the default")
        XCTAssertThrowsError(try NNetnav.parseAsRoot(["explore", "--cache-mode", "sometimes"]))
    }

    func testModelSpecsAndSitesAreParsedOnceAndBadOnesNamed() throws {
        let explore = try XCTUnwrap(NNetnav.parseAsRoot(["explore", "--model", "openai:gpt-4o-mini", "--sites", "shop, forum"])
                                    as? ExploreCommand)
        XCTAssertEqual(try explore.modelOptions.model.spec(option: "--model"), try ChatModelSpec(parsing: "openai:gpt-4o-mini"))
        XCTAssertEqual(explore.siteOptions.sites(or: []).map(\.rawValue), ["shop", "forum"])
        for args in [["explore", "--sites", "shop,mall"], ["eval", "--sites", "mall"], ["env", "serve", "--sites", "mall"]] {
            XCTAssertThrowsError(try NNetnav.parseAsRoot(args)) { error in
                XCTAssertTrue(NNetnav.message(for: error).contains("mall"), NNetnav.message(for: error))
            }
        }
        XCTAssertThrowsError(try NNetnav.parseAsRoot(["eval", "--policy", "nonsense:"])) { error in
            XCTAssertTrue(NNetnav.message(for: error).contains("--policy"), NNetnav.message(for: error))
        }
    }

    /// Issue 13, item 12 for `train`: values out of range are errors naming the option.
    func testEvalAndExperimentReadChoicesTheSameWayAndRecordIt() throws {
        let eval = try XCTUnwrap(NNetnav.parseAsRoot(["eval", "--choice-scoring", "objective-pmi", "--answer-reasoning", "element"]) as? EvalCommand)
        XCTAssertEqual(eval.choiceReading.choiceScoring, .objectivePMI)
        XCTAssertEqual(eval.choiceReading.answerReasoning, .element)
        let experiment = try XCTUnwrap(NNetnav.parseAsRoot(["experiment", "--arms", "base", "--choice-scoring", "verb-first",
                                                             "--answer-reasoning", "element"]) as? ExperimentCommand)
        XCTAssertEqual(try experiment.settings.choiceScoring, .verbFirst)
        XCTAssertEqual(try experiment.settings.answerReasoning, .element)
        // The defaults are recorded as absent, so folders written before these options still compare equal.
        let plain = try XCTUnwrap(NNetnav.parseAsRoot(["experiment", "--arms", "base"]) as? ExperimentCommand)
        XCTAssertNil(try plain.settings.choiceScoring)
        XCTAssertNil(try plain.settings.answerReasoning)
        XCTAssertThrowsError(try NNetnav.parseAsRoot(["eval", "--choice-scoring", "loudest"]))
    }

    func testTrainRejectsOutOfRangeValuesNamingTheOption() {
        for (option, value) in [("--steps", "-1"), ("--batch-size", "0"), ("--seq-len", "-5"), ("--val-fraction", "1.5"),
                                ("--lora-rank", "0"), ("--threads", "0")] {
            XCTAssertThrowsError(try NNetnav.parseAsRoot(["train", "--data", "rows.jsonl", option, value])) { error in
                XCTAssertTrue(NNetnav.message(for: error).contains(option), NNetnav.message(for: error))
            }
        }
        XCTAssertNoThrow(try NNetnav.parseAsRoot(["train", "--data", "rows.jsonl", "--steps", "3"]))
    }

    func testActionWeightsAreParsedOnceAndCheckedAgainstTheActionVerbs() throws {
        let train = try XCTUnwrap(NNetnav.parseAsRoot(["train", "--data", "rows.jsonl", "--action-weight", "stop=0.3",
                                                       "--action-weight", "scroll=0", "--action-weight", "stop=0.5"]) as? TrainCommand)
        XCTAssertEqual(ActionWeightArgument.table(train.actionWeights), ["stop": 0.5, "scroll": 0], "a verb given twice keeps its last weight")
        let experiment = try XCTUnwrap(NNetnav.parseAsRoot(["experiment", "--arms", "base", "--action-weight", "stop=0.25"]) as? ExperimentCommand)
        XCTAssertEqual(try experiment.settings.training.actionWeights, ["stop": 0.25])
        for bad in ["stopp=0.3", "stop=-1", "stop", "stop=lots", "stop=nan"] {
            XCTAssertThrowsError(try NNetnav.parseAsRoot(["train", "--data", "rows.jsonl", "--action-weight", bad]), bad) { error in
                XCTAssertTrue(NNetnav.message(for: error).contains("--action-weight"), NNetnav.message(for: error))
            }
        }
    }

    func testCompareTakesOneBeforeOrOnePerAfter() throws {
        XCTAssertNoThrow(try NNetnav.parseAsRoot(["compare", "--before", "b", "--after", "a1", "--after", "a2"]))
        XCTAssertNoThrow(try NNetnav.parseAsRoot(["compare", "--before", "b1", "--before", "b2", "--after", "a1", "--after", "a2"]))
        XCTAssertThrowsError(try NNetnav.parseAsRoot(["compare", "--before", "b1", "--before", "b2", "--after", "a1"])) { error in
            XCTAssertTrue(NNetnav.message(for: error).contains("--before"), NNetnav.message(for: error))
        }
    }

    func testTrainReadsThePrecisionAndRejectsOthers() throws {
        let train = try XCTUnwrap(NNetnav.parseAsRoot(["train", "--data", "rows.jsonl", "--precision", "bf16"]) as? TrainCommand)
        XCTAssertEqual(train.precision, .bf16)
        let plain = try XCTUnwrap(NNetnav.parseAsRoot(["train", "--data", "rows.jsonl"]) as? TrainCommand)
        XCTAssertEqual(plain.precision, .fp32, "fp32 stays the default")
        XCTAssertThrowsError(try NNetnav.parseAsRoot(["train", "--data", "rows.jsonl", "--precision", "fp16"])) { error in
            XCTAssertTrue(NNetnav.message(for: error).contains("--precision"), NNetnav.message(for: error))
        }
    }

    /// `--compare` names the "before" folder of the report `--report-only` rewrites; the screenshot
    /// quality of `explore` is a JPEG quality or 0.
    func testCompareNeedsAReportAndScreenshotQualityIsBounded() throws {
        let eval = try XCTUnwrap(NNetnav.parseAsRoot(["eval", "--report-only", "runs/after", "--compare", "runs/before"]) as? EvalCommand)
        XCTAssertEqual(eval.compare, "runs/before")
        XCTAssertThrowsError(try NNetnav.parseAsRoot(["eval", "--compare", "runs/before"])) { error in
            XCTAssertTrue(NNetnav.message(for: error).contains("--report-only"), NNetnav.message(for: error))
        }
        let explore = try XCTUnwrap(NNetnav.parseAsRoot(["explore", "--screenshot-quality", "0"]) as? ExploreCommand)
        XCTAssertEqual(explore.screenshotQuality, 0)
        XCTAssertEqual(try XCTUnwrap(NNetnav.parseAsRoot(["explore"]) as? ExploreCommand).screenshotQuality, 40)
        XCTAssertThrowsError(try NNetnav.parseAsRoot(["explore", "--screenshot-quality", "101"])) { error in
            XCTAssertTrue(NNetnav.message(for: error).contains("--screenshot-quality"), NNetnav.message(for: error))
        }
    }

    func testRunRejectsAnUnknownConfigKeyNamingIt() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-run-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(#"{"episodez": 3}"#.utf8).write(to: file)
        let run = try XCTUnwrap(NNetnav.parseAsRoot(["run", "--config", file.path, "--print-config"]) as? RunCommand)
        do {
            try await run.run()
            XCTFail("a misspelt key must not be ignored")
        } catch {
            XCTAssertTrue("\(error)".contains("\"episodez\""), "\(error)")
        }
    }
}
