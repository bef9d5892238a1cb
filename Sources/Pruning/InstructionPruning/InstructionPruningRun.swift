import Foundation
import NNetnavSupport
import LanguageModels
import LlamaModel
import Trainer

/// Trains the channel predictor on demonstrations and compares, on held-out demonstrations, the model with
/// each instruction's predicted FFN channels against the static structured mask with the same kept count
/// (same active parameters). Both run as gathered smaller models, the form the engine decodes per episode.
public struct InstructionPruningRun {
    public var weights: LlamaWeights
    public var tokenizer: BPETokenizer
    public var template: ChatTemplate
    public var sparsity: Double
    public var sequenceLength = 512
    public var ridge = 0.1
    public var channelMultiple = 32

    public init(weights: LlamaWeights, tokenizer: BPETokenizer, template: ChatTemplate, sparsity: Double) {
        self.weights = weights
        self.tokenizer = tokenizer
        self.template = template
        self.sparsity = sparsity
    }

    public struct Report: Codable, Sendable {
        public var trainRows: Int
        public var heldOutRows: Int
        public var keptChannels: Int
        public var hiddenDim: Int
        public var staticLoss: Double
        public var instructionLoss: Double
        public var denseLoss: Double
        /// Distinct per-instruction masks among the held-out rows.
        public var distinctMasks: Int
        /// Mean fraction of each block's kept channels the per-instruction mask shares with the static one.
        public var overlapWithStatic: Double
        /// The joint stage, when it ran.
        public var joint: JointReport? = nil
    }

    /// IFPruning's joint stage: per-instruction masks with their jointly trained model against a learned
    /// static mask with its own model, same data and steps; losses on the held-out rows with hard masks.
    public struct JointReport: Codable, Sendable {
        public var steps: Int
        public var modelLearningRate: Float
        public var predictorLearningRate: Float
        public var temperature: Float
        public var conditionedLoss: Double
        public var staticLoss: Double
        /// Each fine-tuned model without any mask.
        public var conditionedDenseLoss: Double
        public var staticDenseLoss: Double
        public var conditionedDistinctMasks: Int
        public var conditionedOverlapWithStatic: Double
        public var conditionedTrainingLosses: [Float]
        public var staticTrainingLosses: [Float]
        public var conditionedCPUSeconds: Double
        public var staticCPUSeconds: Double
    }

    public func embedding(_ messages: [ChatMessage], forward: CalibrationForward) throws -> [Float] {
        try forward.embed(tokenizer.encode(InstructionText.of(messages), allowSpecial: false))
    }

    public func train(_ rows: [ChatRow]) throws -> ChannelPredictor {
        let forward = CalibrationForward(weights: weights, maxPositions: 256)
        let examples = ChatDataset(rows: rows).examples(tokenizer: tokenizer, template: template)
        var inputs: [[Float]] = [], targets: [[Float]] = []
        var index = 0
        try DomainGradients.forEachRow(weights: weights, examples: examples, sequenceLength: sequenceLength) { gradient in
            targets.append(try ChannelImportance.perRow(weights: weights, gradient: gradient))
            index += 1
        }
        // forEachRow skips rows without targets; embed the same rows.
        for (row, example) in zip(rows, examples) where DomainGradients.singleRowBatch(example, sequenceLength: sequenceLength) != nil {
            inputs.append(try embedding(row.messages, forward: forward))
        }
        let keep = MaskBuilder(pattern: .ffnChannels, sparsity: sparsity, channelMultiple: channelMultiple)
            .keptChannelCount(hidden: weights.config.hiddenDim)
        return try ChannelPredictor.fit(inputs: inputs, targets: targets, layers: weights.config.layerCount,
                                        hidden: weights.config.hiddenDim, keep: keep, ridge: ridge)
    }

    /// The smaller model an episode with this instruction runs.
    public func model(for messages: [ChatMessage], predictor: ChannelPredictor, forward: CalibrationForward) throws -> LlamaWeights {
        try ChannelGather.gather(weights, keptChannels: predictor.keptChannels(embedding(messages, forward: forward)))
    }

    /// IFPruning's joint stage, twice from `start` (the ridge fit) with the same data, steps and settings:
    /// conditioned (the head and the model trained together) and static (the head's input weights held at
    /// 0: a learned static mask). Each is evaluated with hard masks on its own fine-tuned model, the
    /// instructions embedded by this run's model, as in training.
    public func compareJointly(_ train: [ChatRow], heldOut: [ChatRow], start: ChannelPredictor, steps: Int,
                               configure: (inout JointMaskTraining) -> Void = { _ in },
                               progress: ((String, Int, Float) -> Void)? = nil)
        throws -> (report: JointReport, predictors: (conditioned: ChannelPredictor, fixed: ChannelPredictor)) {
        // Both runs train on the same rows: tokenize and embed them once.
        let forward = CalibrationForward(weights: weights, maxPositions: 256)
        let examples = ChatDataset(rows: train).examples(tokenizer: tokenizer, template: template)
        let embeddings = try train.map { try embedding($0.messages, forward: forward) }
        var joint = JointMaskTraining(weights: weights, keep: start.keep, steps: steps, conditioned: true)
        joint.sequenceLength = sequenceLength
        configure(&joint)

        var clock = ProcessClock.start()
        let c = try joint.run(examples: examples, embeddings: embeddings, start: start,
                              progress: { progress?("conditioned", $0, $1) })
        var tuned = self
        tuned.weights = c.weights
        let conditioned = try tuned.evaluate(predictor: c.predictor, trainRows: train.count, heldOut: heldOut, embeddingWeights: weights)
        let conditionedCPU = clock.elapsed().cpu

        clock = ProcessClock.start()
        joint.conditioned = false
        let s = try joint.run(examples: examples, embeddings: embeddings, start: start,
                              progress: { progress?("static", $0, $1) })
        tuned.weights = s.weights
        // Every instruction gets the static mask here, so only the static and dense losses are new.
        let fixed = try tuned.staticAndDenseLoss(s.predictor, heldOut: heldOut)
        let report = JointReport(steps: steps, modelLearningRate: joint.modelLearningRate,
                                 predictorLearningRate: joint.predictorLearningRate, temperature: joint.temperature,
                                 conditionedLoss: conditioned.instructionLoss, staticLoss: fixed.staticLoss,
                                 conditionedDenseLoss: conditioned.denseLoss, staticDenseLoss: fixed.denseLoss,
                                 conditionedDistinctMasks: conditioned.distinctMasks,
                                 conditionedOverlapWithStatic: conditioned.overlapWithStatic,
                                 conditionedTrainingLosses: c.losses, staticTrainingLosses: s.losses,
                                 conditionedCPUSeconds: conditionedCPU, staticCPUSeconds: clock.elapsed().cpu)
        return (report, (c.predictor, s.predictor))
    }

    /// Held-out loss with `predictor`'s static mask, and with no mask, on this run's model.
    private func staticAndDenseLoss(_ predictor: ChannelPredictor, heldOut: [ChatRow]) throws -> (staticLoss: Double, denseLoss: Double) {
        try staticAndDenseLoss(predictor, examples: ChatDataset(rows: heldOut).examples(tokenizer: tokenizer, template: template))
    }

    private func staticAndDenseLoss(_ predictor: ChannelPredictor, examples: [TrainingExample]) throws -> (staticLoss: Double, denseLoss: Double) {
        let staticWeights = try ChannelGather.gather(weights, keptChannels: predictor.staticChannels)
        return (try PruningEvaluation.demonstrationLoss(staticWeights, examples: examples, sequenceLength: sequenceLength),
                try PruningEvaluation.demonstrationLoss(weights, examples: examples, sequenceLength: sequenceLength))
    }

    /// Held-out losses of `predictor`'s masks on this run's model; the instructions are embedded by
    /// `embeddingWeights` (the model the predictor was trained with; default: this run's).
    public func evaluate(predictor: ChannelPredictor, trainRows: Int, heldOut: [ChatRow],
                         embeddingWeights: LlamaWeights? = nil) throws -> Report {
        let forward = CalibrationForward(weights: embeddingWeights ?? weights, maxPositions: 256)
        let examples = ChatDataset(rows: heldOut).examples(tokenizer: tokenizer, template: template)
        let (staticLoss, denseLoss) = try staticAndDenseLoss(predictor, examples: examples)
        var sum = 0.0, count = 0
        var masks = Set<[[Int]]>()
        var overlap = 0.0
        let staticSets = predictor.staticChannels.map(Set.init)
        for (row, example) in zip(heldOut, examples) {
            guard let batch = DomainGradients.singleRowBatch(example, sequenceLength: sequenceLength) else { continue }
            let kept = predictor.keptChannels(try embedding(row.messages, forward: forward))
            masks.insert(kept)
            overlap += zip(kept, staticSets).reduce(0.0) { $0 + Double(Set($1.0).intersection($1.1).count) / Double(predictor.keep) }
                / Double(kept.count)
            let model = try TrainableLlama(weights: ChannelGather.gather(weights, keptChannels: kept))
            let r = model.step(batch, gradientScale: nil)
            sum += r.lossSum; count += r.count
        }
        guard count > 0 else { throw PruningError.invalidInput("no held-out demonstrations with targets") }
        return Report(trainRows: trainRows, heldOutRows: masks.isEmpty ? 0 : heldOut.count, keptChannels: predictor.keep,
                      hiddenDim: weights.config.hiddenDim, staticLoss: staticLoss, instructionLoss: sum / Double(count),
                      denseLoss: denseLoss, distinctMasks: masks.count, overlapWithStatic: overlap / Double(max(1, heldOut.count)))
    }
}
