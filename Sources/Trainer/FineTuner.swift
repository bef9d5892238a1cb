import Foundation
import LlamaModel

/// Everything that decides what a training run computes (saved with checkpoints).
public struct TrainingOptions: Codable, Sendable, Hashable {
    /// Rows (packed sequences) per micro-batch.
    public var batchSize = 4
    /// Tokens per row.
    public var sequenceLength = 256
    /// Micro-batches whose gradients are summed before one optimizer step.
    public var gradientAccumulation = 1
    /// Optimizer steps to run in total.
    public var steps = 100
    public var optimizer = OptimizerSettings()
    public var lora: LoRAConfig?
    public var seed: UInt64 = 42
    /// Re-run each block's forward in the backward instead of keeping its activations.
    public var recompute = false
    /// What the step stores in bf16 (`TrainingPrecision`); arithmetic is fp32 either way.
    public var precision = TrainingPrecision.fp32
    /// Loss weight of a row by the verb of its action (`stop`, `click`, …); verbs not named weigh 1.
    /// Short demonstrations make stop rows a large share of the data, and a small student fits
    /// their constant target; a weight below 1 lowers their share without dropping any row.
    public var actionWeights: [String: Float] = [:]

    public init() {}
}

extension TrainingOptions {
    /// Decodes saved options; checkpoints written before `precision` existed were fp32, and unweighted.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        batchSize = try c.decode(Int.self, forKey: .batchSize)
        sequenceLength = try c.decode(Int.self, forKey: .sequenceLength)
        gradientAccumulation = try c.decode(Int.self, forKey: .gradientAccumulation)
        steps = try c.decode(Int.self, forKey: .steps)
        optimizer = try c.decode(OptimizerSettings.self, forKey: .optimizer)
        lora = try c.decodeIfPresent(LoRAConfig.self, forKey: .lora)
        seed = try c.decode(UInt64.self, forKey: .seed)
        recompute = try c.decode(Bool.self, forKey: .recompute)
        precision = try c.decodeIfPresent(TrainingPrecision.self, forKey: .precision) ?? .fp32
        actionWeights = try c.decodeIfPresent([String: Float].self, forKey: .actionWeights) ?? [:]
    }
}

/// Persistent position of a run: what `--resume` restores besides weights and moments.
public struct TrainerState: Codable, Sendable {
    public var step: Int
    /// Micro-batches consumed so far (the data cursor).
    public var cursor: Int
    public var rng: TrainingRNG
    public var options: TrainingOptions
    public var config: LlamaConfig
    public var adamSteps: Int
}

/// One line of the metrics log.
public struct StepMetrics: Codable, Sendable {
    public var step: Int
    public var loss: Float
    public var lr: Float
    public var gradNorm: Float
    public var tokensPerSecond: Double
    public var targetTokens: Int
    public var seconds: Double
    public var validationLoss: Float?

    enum CodingKeys: String, CodingKey {
        case step, loss, lr
        case gradNorm = "grad_norm", tokensPerSecond = "tokens_per_s", targetTokens = "target_tokens"
        case seconds, validationLoss = "val_loss"
    }
}

/// The training loop: data order, accumulation, clipping, AdamW, schedule; no I/O of its own.
public final class FineTuner: @unchecked Sendable {
    public let model: TrainableLlama
    public let optimizer: AdamW
    public let options: TrainingOptions
    public private(set) var rows: [PackedRow]
    public var state: TrainerState
    private var order: [Int] = []
    private var orderEpoch = -1
    private let decayRanges: [Range<Int>]

    public init(model: TrainableLlama, rows: [PackedRow], options: TrainingOptions) {
        precondition(!rows.isEmpty, "no training rows")
        self.model = model
        self.rows = rows
        self.options = options
        optimizer = AdamW(count: model.trainable.values.count)
        state = TrainerState(step: 0, cursor: 0, rng: TrainingRNG(seed: options.seed), options: options,
                             config: model.config, adamSteps: 0)
        // Weight decay on matrices only (norm gains and LoRA are excluded as is usual).
        decayRanges = model.loraLayout == nil
            ? model.layout.slots.filter { $0.shape.count == 2 }.map { $0.offset..<($0.offset + $0.count) } : []
    }

    /// Row indices of micro-batch number `cursor`: rows are shuffled per epoch with a seed derived
    /// from the run seed and the epoch, so the order is a pure function of the cursor (exact resume).
    func rowIndices(forMicroBatch cursor: Int) -> [Int] {
        let b = options.batchSize
        var out: [Int] = []
        for k in 0..<b {
            let global = cursor * b + k
            let epoch = global / rows.count
            if epoch != orderEpoch {
                var rng = TrainingRNG(seed: options.seed &+ UInt64(epoch) &* 0x9E37)
                order = Array(0..<rows.count)
                for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, rng.below(i + 1)) }
                orderEpoch = epoch
            }
            out.append(order[global % rows.count])
        }
        return out
    }

    /// Runs one optimizer step (all accumulation micro-batches) and returns its metrics.
    public func trainStep() -> StepMetrics {
        let start = Date()
        let micro = (0..<options.gradientAccumulation).map { i in
            SequencePacker.batch(rowIndices(forMicroBatch: state.cursor + i).map { rows[$0] }, seq: options.sequenceLength)
        }
        let targets = micro.reduce(0) { $0 + $1.targetCount }
        // Weighted targets, averaged over the target count (not the summed weight): each step is then an
        // unbiased sample of the weighted objective. Normalising by the weights would cancel a row's
        // weight whenever a step holds one row, as it does at batch size 1.
        model.zeroGradients()
        var lossSum: Double = 0
        for batch in micro {
            lossSum += model.step(batch, gradientScale: 1 / Float(max(targets, 1))).lossSum
        }
        state.cursor += micro.count
        let lr = options.optimizer.learningRate(at: state.step)
        let (values, grads) = model.trainable
        let norm = optimizer.update(params: values, grads: grads, lr: lr, settings: options.optimizer, decayMask: decayRanges)
        state.step += 1
        state.adamSteps = optimizer.stepCount
        let seconds = Date().timeIntervalSince(start)
        let tokens = micro.count * options.batchSize * options.sequenceLength
        return StepMetrics(step: state.step, loss: Float(lossSum / Double(max(targets, 1))), lr: lr, gradNorm: norm,
                           tokensPerSecond: Double(tokens) / seconds, targetTokens: targets, seconds: seconds)
    }

    /// Mean loss over target tokens of `rows` (no gradients).
    public func evaluateLoss(_ rows: [PackedRow]) -> Float {
        var sum: Double = 0, count = 0
        var i = 0
        while i < rows.count {
            let chunk = Array(rows[i..<min(i + options.batchSize, rows.count)])
            i += chunk.count
            // Validation reports the plain mean, whatever the training weights.
            var batch = SequencePacker.batch(chunk, seq: options.sequenceLength)
            batch.targetWeights = nil
            let r = model.step(batch, gradientScale: nil)
            sum += r.lossSum
            count += r.count
        }
        return count > 0 ? Float(sum / Double(count)) : .nan
    }
}
