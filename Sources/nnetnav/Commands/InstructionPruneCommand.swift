import ArgumentParser
import Foundation
import Kernels
import LlamaModel
import NNetnavSupport
import Pruning
import Trainer

struct InstructionPruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ifprune",
        abstract: "Instruction-conditioned FFN pruning (IFPruning): train a channel predictor on demonstrations and compare it with a static mask.",
        discussion: """
        For every training demonstration, the trainer's backward gives each FFN channel's first-order \
        importance (|Σ W_down ⊙ dW_down| per column); a linear head on the model's mean-pooled embedding of the \
        row's OBJECTIVE is fitted to it (ridge regression). An episode's mask keeps each block's best predicted \
        channels, gathered into a smaller model the engine decodes. Reports, on --held-out rows, the loss with \
        each instruction's mask against the static mask with the same kept channels (the mean importance), and \
        the dense loss. Writes DIR/predictor.safetensors and DIR/ifprune.json; with --instruction, also \
        DIR/model.gguf pruned for that instruction (run it with local:DIR/model.gguf).
        """)

    @OptionGroup var source: PruningModelOptions
    @Option(help: "Training demonstrations (SFT JSONL).") var data: String
    @Option(help: "Held-out demonstrations (SFT JSONL).") var heldOut: String
    @Option(help: "Fraction of FFN channels each block drops.") var sparsity = 0.5
    @Option(help: "Ridge penalty, relative to the mean squared embedding norm.") var ridge = 0.1
    @Option(help: "Write the model pruned for this instruction.") var instruction: String?
    @Option(help: ArgumentHelp("IFPruning's joint stage: steps (one demonstration each) of training the predictor and the model together through soft top-k masks; 0 skips it.",
                               discussion: "Runs twice from the ridge fit: conditioned (head and model) and static (the head's input weights held at 0: a learned static mask, same data and steps). Both models are full fine-tunes; the report compares their held-out losses with the hard masks.")) var jointSteps = 0
    @Option(help: "Joint stage: the model's peak learning rate (AdamW, full fine-tuning).") var jointLr: Float = 2e-5
    @Option(help: "Joint stage: the predictor's peak learning rate.") var predictorLr: Float = 1e-3
    @Option(help: "Joint stage: the soft top-k temperature (smaller is closer to the hard mask).") var temperature: Float = 0.25
    @Option(help: "Output directory.") var out: String

    func validate() throws {
        guard (0..<1).contains(sparsity) else { throw ValidationError("--sparsity must be in [0, 1)") }
        guard jointSteps >= 0 else { throw ValidationError("--joint-steps must be 0 or more, not \(jointSteps)") }
        guard jointLr > 0, predictorLr > 0, temperature > 0, temperature.isFinite else {
            throw ValidationError("--joint-lr, --predictor-lr and --temperature must be positive")
        }
        for path in [data, heldOut] where !FileManager.default.fileExists(atPath: path) { throw ValidationError("file not found: \(path)") }
    }

    func run() async throws {
        BLASInfo.setThreads(source.threads)
        let (weights, file, tokenizer, template) = try source.load()
        var run = InstructionPruningRun(weights: weights, tokenizer: tokenizer, template: template, sparsity: sparsity)
        run.sequenceLength = source.seqLen
        run.ridge = ridge
        let train = try ChatDataset(jsonl: URL(fileURLWithPath: data)).rows
        let held = try ChatDataset(jsonl: URL(fileURLWithPath: heldOut)).rows
        let predictor = try run.train(train)
        let outURL = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: outURL, withIntermediateDirectories: true)
        try predictor.write(to: outURL.appendingPathComponent("predictor.safetensors"))
        var report = try run.evaluate(predictor: predictor, trainRows: train.count, heldOut: held)
        print(String(format: "kept %d of %d FFN channels per block; held-out loss: per-instruction %.4f, static %.4f, dense %.4f",
                     report.keptChannels, report.hiddenDim, report.instructionLoss, report.staticLoss, report.denseLoss))
        print(String(format: "%d distinct masks over %d held-out rows; mean overlap with the static mask %.1f%%",
                     report.distinctMasks, report.heldOutRows, 100 * report.overlapWithStatic))
        if jointSteps > 0 {
            report.joint = try trainJointly(run, start: predictor, train: train, heldOut: held, out: outURL)
        }
        try writeJSON(report, to: outURL.appendingPathComponent("ifprune.json"))
        if let instruction, jointSteps == 0 {
            let forward = CalibrationForward(weights: weights, maxPositions: 256)
            let model = try run.model(for: [.user("OBJECTIVE: \(instruction)")], predictor: predictor, forward: forward)
            try PrunedModelWriter.write(model, tokenizerSource: file, to: outURL)
            print("wrote \(outURL.path)/model.gguf for \"\(instruction)\"")
        }
    }

    /// Both joint runs from the ridge fit, each evaluated with hard masks on its own fine-tuned model.
    private func trainJointly(_ run: InstructionPruningRun, start: ChannelPredictor, train: [ChatRow], heldOut: [ChatRow],
                              out: URL) throws -> InstructionPruningRun.JointReport {
        var bar: ProgressBar?
        let (report, predictors) = try run.compareJointly(train, heldOut: heldOut, start: start, steps: jointSteps, configure: {
            $0.modelLearningRate = jointLr
            $0.predictorLearningRate = predictorLr
            $0.temperature = temperature
        }, progress: { name, step, loss in
            if step == 1 { bar = ProgressBar(label: "joint \(name)", total: jointSteps, unit: "step") }
            bar?.advance(status: String(format: "loss %.4f", loss))
            if step == jointSteps { bar?.finish() }
        })
        try predictors.conditioned.write(to: out.appendingPathComponent("predictor-joint-conditioned.safetensors"))
        try predictors.fixed.write(to: out.appendingPathComponent("predictor-joint-static.safetensors"))
        print(String(format: "joint stage, %d steps each: held-out loss with hard masks, per-instruction %.4f (%d distinct masks), static %.4f; "
                     + "the two fine-tuned models unmasked %.4f / %.4f; CPU s %.0f / %.0f",
                     jointSteps, report.conditionedLoss, report.conditionedDistinctMasks, report.staticLoss,
                     report.conditionedDenseLoss, report.staticDenseLoss, report.conditionedCPUSeconds, report.staticCPUSeconds))
        return report
    }
}
