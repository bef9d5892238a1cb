import Foundation
import LlamaModel
import Trainer

/// IFPruning's joint stage: the channel predictor and the model are trained together on the
/// demonstrations, the model running with the predictor's soft mask (`SoftTopK`, exactly `keep`
/// channels' worth per block) on its SwiGLU channels. The mask scales the `down` projection's
/// columns, W_eff = W · diag(m), so the trainer's ordinary full backward gives everything:
/// ∂L/∂m_j = Σ_i W[i,j] · ∂L/∂W_eff[i,j] (the predictor's gradient, through SoftTopK and its linear
/// head) and ∂L/∂W = ∂L/∂W_eff · diag(m) (the model's). One demonstration per step.
///
/// `conditioned: false` is the comparison the paper makes: the same loop with the head's input
/// weights held at zero, i.e. a learned *static* structured mask trained with the same data and steps.
public struct JointMaskTraining {
    public var weights: LlamaWeights
    public var keep: Int
    public var steps: Int
    public var conditioned: Bool
    public var temperature: Float = 0.25
    public var sequenceLength = 512
    public var modelLearningRate: Float = 2e-5
    public var predictorLearningRate: Float = 1e-3
    public var seed: UInt64 = 0

    public init(weights: LlamaWeights, keep: Int, steps: Int, conditioned: Bool) {
        self.weights = weights
        self.keep = keep
        self.steps = steps
        self.conditioned = conditioned
    }

    public struct Result {
        /// The fine-tuned model (dense: the mask is applied by gathering the kept channels).
        public var weights: LlamaWeights
        public var predictor: ChannelPredictor
        /// Each step's loss under the soft mask.
        public var losses: [Float]
    }

    /// Trains from `start` (e.g. the ridge fit); `embeddings[r]` is example r's instruction embedding.
    public func run(examples: [TrainingExample], embeddings: [[Float]], start: ChannelPredictor,
                    progress: ((Int, Float) -> Void)? = nil) throws -> Result {
        let c = weights.config, f = c.hiddenDim, layers = c.layerCount, p = layers * f
        guard examples.count == embeddings.count, start.layers == layers, start.hidden == f,
              embeddings.allSatisfy({ $0.count == start.inputDimension }) else {
            throw PruningError.invalidInput("joint training needs one embedding of the predictor's size per example")
        }
        let batches = examples.map { DomainGradients.singleRowBatch($0, sequenceLength: sequenceLength) }
        let usable = batches.indices.filter { batches[$0] != nil }
        guard !usable.isEmpty, steps > 0 else { throw PruningError.invalidInput("no demonstrations with targets to train on") }
        let model = try TrainableLlama(weights: weights)
        let values = model.parameters, gradients = model.gradients!
        let downOffsets = try (0..<layers).map { l -> Int in
            guard let slot = model.layout.slot(named: LlamaTensorName.ffnDown(l)) else { throw PruningError.invalidInput("no down projection in block \(l)") }
            return slot.offset
        }
        let softTopK = SoftTopK(keep: keep, temperature: temperature)
        let inputs = start.inputDimension
        // The head's parameters in one buffer: input weights (inputs × p), then the intercept (p).
        let head = FloatBuffer((conditioned ? start.weight : [Float](repeating: 0, count: inputs * p)) + start.outputMean)
        let headGradient = FloatBuffer(count: head.count)
        let modelOptimizer = AdamW(count: values.count), headOptimizer = AdamW(count: head.count)
        var modelSettings = OptimizerSettings()
        modelSettings.learningRate = modelLearningRate
        modelSettings.warmupSteps = min(10, steps / 10)
        modelSettings.totalSteps = steps
        var headSettings = modelSettings
        headSettings.learningRate = predictorLearningRate
        headSettings.gradientClip = 0

        var order: [Int] = [], rng = TrainingRNG(seed: seed ^ 0x1f_9a11)
        var losses: [Float] = []
        for step in 0..<steps {
            if order.isEmpty {
                order = usable
                for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, rng.below(i + 1)) }
            }
            let r = order.removeLast()
            let batch = batches[r]!
            let centred = zip(embeddings[r], start.inputMean).map { $0 - $1 }
            let scores = Self.scores(head: head, centred: centred, p: p, conditioned: conditioned)
            let masks = (0..<layers).map { l in softTopK.mask(Array(scores[l * f ..< (l + 1) * f])) }

            let (loss, maskGradients) = Self.maskedStep(model, batch, masks: masks, downOffsets: downOffsets)
            losses.append(loss)
            headGradient.zero()
            for l in 0..<layers {
                let ds = softTopK.backward(mask: masks[l], maskGradient: maskGradients[l])
                for j in 0..<f { headGradient[inputs * p + l * f + j] = ds[j] }
            }
            if conditioned {
                let ds = UnsafeBufferPointer(start: headGradient.pointer + inputs * p, count: p)
                for i in 0..<inputs where centred[i] != 0 {
                    let row = headGradient.pointer + i * p, x = centred[i]
                    for j in 0..<p { row[j] = x * ds[j] }
                }
            }
            modelOptimizer.update(params: values, grads: gradients, lr: modelSettings.learningRate(at: step), settings: modelSettings)
            headOptimizer.update(params: head, grads: headGradient, lr: headSettings.learningRate(at: step), settings: headSettings)
            progress?(step + 1, loss)
        }
        let trained = head.array
        let predictor = ChannelPredictor(layers: layers, hidden: f, keep: keep, weight: Array(trained[0 ..< inputs * p]),
                                         inputMean: start.inputMean, outputMean: Array(trained[(inputs * p)...]))
        return Result(weights: model.exportWeights(), predictor: predictor, losses: losses)
    }

    static func scores(head: FloatBuffer, centred: [Float], p: Int, conditioned: Bool) -> [Float] {
        var out = Array(UnsafeBufferPointer(start: head.pointer + centred.count * p, count: p))
        guard conditioned else { return out }
        for (i, x) in centred.enumerated() where x != 0 {
            let row = head.pointer + i * p
            for j in 0..<p { out[j] += x * row[j] }
        }
        return out
    }

    /// One forward and backward with every block's `down` columns scaled by its mask. Leaves the
    /// weights as they were and the gradients as those of the unmasked W (∂L/∂W_eff · diag(m)); returns
    /// the mean loss and ∂L/∂m per block.
    static func maskedStep(_ model: TrainableLlama, _ batch: TokenBatch, masks: [[Float]],
                           downOffsets: [Int]) -> (loss: Float, maskGradients: [[Float]]) {
        let d = model.config.dim, f = model.config.hiddenDim
        let values = model.parameters, gradients = model.gradients!
        var originals: [[Float]] = []
        for (l, offset) in downOffsets.enumerated() {
            let w = values.pointer + offset
            originals.append(Array(UnsafeBufferPointer(start: w, count: d * f)))
            for i in 0..<d { for j in 0..<f { w[i * f + j] *= masks[l][j] } }
        }
        model.zeroGradients()
        let result = model.step(batch, gradientScale: 1 / Float(batch.targetCount))
        let maskGradients = downOffsets.enumerated().map { l, offset -> [Float] in
            let w = values.pointer + offset, g = gradients.pointer + offset
            var dm = [Float](repeating: 0, count: f)
            originals[l].withUnsafeBufferPointer { original in
                for i in 0..<d {
                    for j in 0..<f {
                        dm[j] += original[i * f + j] * g[i * f + j]
                        g[i * f + j] *= masks[l][j]
                    }
                }
                w.update(from: original.baseAddress!, count: d * f)
            }
            return dm
        }
        return (Float(result.lossSum / Double(max(result.count, 1))), maskGradients)
    }
}
