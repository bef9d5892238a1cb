import Foundation
import Kernels
import LlamaModel
import NNetnavSupport

/// Where the starting weights come from.
public enum ModelSource: Sendable {
    /// A GGUF or safetensors checkpoint of the Llama family.
    case file(URL)
    /// A randomly initialised model of this shape (vocabulary from the tokenizer).
    case scratch(LlamaConfig)
}

/// `nnetnav train` end to end: data → tokens → packed rows, model, loop with progress and
/// metrics, checkpoints, loss-curve PNG, optional evaluation. The CLI only fills this in.
public struct TrainingRun {
    public var data: URL
    public var model: ModelSource
    /// GGUF file whose tokenizer and chat template are used (the model's own when it is a GGUF).
    public var tokenizerFile: URL
    public var output: URL
    public var options: TrainingOptions
    /// Rows held out for validation (always, so that runs with and without --eval train on the same rows).
    public var validationFraction = 0.1
    public var checkpointEvery = 0
    public var resume = false
    public var evaluate = false
    public var decodeLimit = 20
    public var maxNewTokens = 64
    /// Bytes the run may use; nil: what the system reports available (less a margin). Above it
    /// recomputation is switched on, and a setting that does not fit even then is refused.
    public var memoryBudget: Int?
    /// Cores the trainer splits its work over (nil: all).
    public var threads: Int?

    public init(data: URL, model: ModelSource, tokenizerFile: URL, output: URL, options: TrainingOptions) {
        self.data = data
        self.model = model
        self.tokenizerFile = tokenizerFile
        self.output = output
        self.options = options
    }

    public struct Summary: Sendable {
        public var steps: Int
        public var firstLoss: Float?
        public var lastLoss: Float?
        public var tokensPerSecond: Double
        public var seconds: Double
        public var trainableParameters: Int
        public var trainRows: Int
        public var precision: TrainingPrecision
        public var evaluation: NextActionReport?
    }

    private func log(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

    public func run() throws -> Summary {
        let gguf = try GGUFFile(url: tokenizerFile)
        let tokenizer = try BPETokenizer(gguf: gguf)
        let template = ChatTemplate(gguf: gguf)
        let dataset = try ChatDataset(jsonl: data)
        let (trainSet, validationSet) = dataset.split(validationFraction: validationFraction, seed: options.seed)
        let pad = Int32(tokenizer.eosID ?? 0)
        let (trainRows, tooLong) = SequencePacker.packReporting(trainSet.examples(tokenizer: tokenizer, template: template,
                                                                                  actionWeights: options.actionWeights),
                                                                 seq: options.sequenceLength, padToken: pad)
        if !options.actionWeights.isEmpty {
            let counts = trainSet.verbCounts()
            let weighted = counts.reduce(0.0) { $0 + Double($1.value) * Double(options.actionWeights[$1.key] ?? 1) }
            let shares = counts.sorted { $0.key < $1.key }.map { verb, n in
                let w = Double(options.actionWeights[verb] ?? 1)
                return "\(verb.isEmpty ? "(none)" : verb) \(n) × \(w) (\(Int((Double(n) * w / max(weighted, 1e-9) * 100).rounded()))%)"
            }
            log("data: action weights: " + shares.joined(separator: ", "))
        }
        if tooLong > 0 {
            log("data: \(tooLong) rows left out: their system prompt and target alone exceed the sequence length "
                + "\(options.sequenceLength) (they are never cut); export with --max-sequence-tokens \(options.sequenceLength)")
        }
        guard !trainRows.isEmpty else { throw TrainerError.invalidData("no training row has an assistant target") }
        log("data: \(dataset.rows.count) SFT rows → \(trainSet.rows.count) train (\(trainRows.count) packed rows of \(options.sequenceLength)), \(validationSet.rows.count) validation")

        // Model: base weights (always needed for LoRA), then the checkpoint if resuming.
        let checkpoint = Checkpoint(directory: output)
        var base: LlamaWeights?
        switch model {
        case .file(let url):
            base = url.pathExtension == "safetensors" ? try LlamaWeights.load(safetensors: url) : try LlamaWeights.load(gguf: url)
        case .scratch: base = nil
        }
        if let c = base?.config, c.vocabSize < tokenizer.vocabularySize {
            throw TrainerError.invalidData("model vocabulary \(c.vocabSize) is smaller than the tokenizer's \(tokenizer.vocabularySize)")
        }
        let tuner: FineTuner
        let dataFingerprint = ContentDigest.rows(trainRows)
        if resume, checkpoint.exists {
            let state = try checkpoint.verifyResume(options: options, dataFingerprint: dataFingerprint)
            let m = try checkpoint.loadModel(base: base, state: state)
            tuner = FineTuner(model: m, rows: trainRows, options: state.options)
            try checkpoint.restore(into: tuner, state: state)
            log("resumed \(output.path) at step \(state.step)")
        } else {
            var rng = TrainingRNG(seed: options.seed)
            let m: TrainableLlama
            switch model {
            case .file:
                m = try TrainableLlama(weights: base!, lora: options.lora, recompute: options.recompute, precision: options.precision)
            case .scratch(let config):
                // Initialised in fp32 before the model takes it (a bf16 LoRA base is rounded from it).
                let layout = ParameterLayout(config: config)
                let initial = FloatBuffer(count: layout.total)
                layout.initialize(initial, rng: &rng)
                m = TrainableLlama(config: config, parameters: initial, lora: options.lora, recompute: options.recompute,
                                   precision: options.precision)
            }
            if let adapters = m.adapters { m.loraLayout!.initialize(adapters, rng: &rng) }
            tuner = FineTuner(model: m, rows: trainRows, options: options)
            tuner.state.rng = rng
        }
        base = nil  // the trainer holds its own copy of the weights
        let m = tuner.model
        if let threads { m.workers = max(1, threads) }
        let budget = memoryBudget ?? MemoryEstimate.availableBytes() ?? Int.max
        let wasRecomputing = m.recompute
        let estimate = try m.planMemory(batch: tuner.options.batchSize, seq: tuner.options.sequenceLength, budget: budget)
        if m.recompute && !wasRecomputing {
            log("keeping every block's activations would not fit in \(budget >> 20) MiB: recomputing each block in the backward")
        }
        log("memory estimate: \(estimate)")
        log("model: \(m.config.layerCount) layers, dim \(m.config.dim), \(m.config.parameterCount / 1000)k parameters, training \(m.trainable.values.count / 1000)k\(m.loraLayout != nil ? " (LoRA)" : ""), precision \(m.precision); BLAS \(BLASInfo.coreName) × \(BLASInfo.threads)")

        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let metricsURL = output.appendingPathComponent("metrics.jsonl")
        var history = (try? JSONLines.read(StepMetrics.self, from: metricsURL))?.filter { $0.step <= tuner.state.step } ?? []
        let totalSteps = tuner.options.steps
        let bar = ProgressBar(label: "train", total: totalSteps, unit: "step")
        bar.advance(by: tuner.state.step)
        let start = Date()
        var tokens = 0
        var first: Float?
        while tuner.state.step < totalSteps {
            let metrics = tuner.trainStep()
            first = first ?? metrics.loss
            tokens += tuner.options.batchSize * tuner.options.sequenceLength * tuner.options.gradientAccumulation
            history.append(metrics)
            let rate = Double(tokens) / Date().timeIntervalSince(start)
            bar.advance(status: String(format: "loss %.4f · lr %.2e · %.0f tok/s", metrics.loss, metrics.lr, rate))
            if checkpointEvery > 0, tuner.state.step % checkpointEvery == 0, tuner.state.step < totalSteps {
                try writeOutputs(tuner, checkpoint, history, metricsURL, dataFingerprint: dataFingerprint)
            }
        }
        bar.finish()
        let seconds = Date().timeIntervalSince(start)
        var report: NextActionReport?
        if evaluate, !validationSet.rows.isEmpty {
            let valRows = SequencePacker.pack(validationSet.examples(tokenizer: tokenizer, template: template),
                                              seq: tuner.options.sequenceLength, padToken: pad)
            let loss = tuner.evaluateLoss(valRows)
            var evaluation = try NextActionEvaluation(model: m, tokenizer: tokenizer, template: template, sequenceLength: tuner.options.sequenceLength)
            evaluation.maxNewTokens = maxNewTokens
            let decodeBar = ProgressBar(label: "eval", total: min(decodeLimit, validationSet.rows.count), unit: "row")
            report = try evaluation.run(validation: validationSet, loss: loss, decodeLimit: decodeLimit) { _ in decodeBar.advance() }
            decodeBar.finish()
            if var last = history.popLast() { last.validationLoss = loss; history.append(last) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: output.appendingPathComponent("eval.json"))
        }
        try writeOutputs(tuner, checkpoint, history, metricsURL, dataFingerprint: dataFingerprint)
        // A GGUF copy with the tokenizer, loadable by the inference engine and `nnetnav eval`.
        var extra = tokenizer.ggufMetadata
        if let t = gguf["tokenizer.chat_template"] { extra.append(("tokenizer.chat_template", t)) }
        try m.exportWeights().write(gguf: output.appendingPathComponent("model.gguf"), extraMetadata: extra)
        return Summary(steps: tuner.state.step, firstLoss: first ?? history.first?.loss, lastLoss: history.last?.loss,
                       tokensPerSecond: seconds > 0 ? Double(tokens) / seconds : 0, seconds: seconds,
                       trainableParameters: m.trainable.values.count, trainRows: trainRows.count, precision: m.precision,
                       evaluation: report)
    }

    private func writeOutputs(_ tuner: FineTuner, _ checkpoint: Checkpoint, _ history: [StepMetrics], _ metricsURL: URL,
                              dataFingerprint: String) throws {
        tuner.model.releaseActivations()
        try checkpoint.save(tuner, dataFingerprint: dataFingerprint)
        try JSONLines.write(history, to: metricsURL)
        let validation = history.compactMap { m in m.validationLoss.map { (step: m.step, loss: $0) } }
        let png = LossCurvePlot.render(train: history.map { (step: $0.step, loss: $0.loss) }, validation: validation)
        try png.write(to: output.appendingPathComponent("loss.png"))
    }
}
