import Foundation

/// AdamW hyper-parameters and the learning-rate schedule (linear warm-up, cosine decay to `minLRFraction`).
public struct OptimizerSettings: Codable, Sendable, Hashable {
    public var learningRate: Float = 3e-4
    public var minLRFraction: Float = 0.1
    public var warmupSteps: Int = 10
    public var totalSteps: Int = 100
    public var beta1: Float = 0.9
    public var beta2: Float = 0.95
    public var epsilon: Float = 1e-8
    public var weightDecay: Float = 0.0
    /// Global gradient-norm clip; 0 disables.
    public var gradientClip: Float = 1.0

    public init() {}

    /// Learning rate of step `step` (0-based).
    public func learningRate(at step: Int) -> Float {
        if step < warmupSteps { return learningRate * Float(step + 1) / Float(warmupSteps) }
        let decaySteps = max(1, totalSteps - warmupSteps)
        let progress = min(1, Float(step - warmupSteps) / Float(decaySteps))
        let cosine = 0.5 * (1 + cosf(.pi * progress))
        return learningRate * (minLRFraction + (1 - minLRFraction) * cosine)
    }
}

/// AdamW over a flat parameter buffer; m and v share its layout (one fused pass per step).
public final class AdamW: @unchecked Sendable {
    public let m: FloatBuffer
    public let v: FloatBuffer
    /// Number of updates applied so far (bias correction uses it).
    public var stepCount = 0

    public init(count: Int) {
        m = FloatBuffer(count: count)
        v = FloatBuffer(count: count)
    }

    /// L2 norm of all gradients.
    public static func gradientNorm(_ grads: FloatBuffer) -> Float {
        var sum: Double = 0
        let g = grads.pointer
        var i = 0
        // Four float partial sums per block keep precision without a Double per element.
        while i < grads.count {
            let end = min(i + 4096, grads.count)
            var s: Float = 0
            for j in i..<end { s += g[j] * g[j] }
            sum += Double(s)
            i = end
        }
        return Float(sum.squareRoot())
    }

    /// Clips (when configured) and applies one update. Returns the pre-clip gradient norm.
    /// `decayMask` says which elements get weight decay (matrices yes, norm gains no).
    @discardableResult
    public func update(params: FloatBuffer, grads: FloatBuffer, lr: Float, settings s: OptimizerSettings,
                       decayMask: [Range<Int>] = []) -> Float {
        let norm = AdamW.gradientNorm(grads)
        let clip: Float = (s.gradientClip > 0 && norm > s.gradientClip) ? s.gradientClip / norm : 1
        stepCount += 1
        let b1c = 1 - powf(s.beta1, Float(stepCount))
        let b2c = 1 - powf(s.beta2, Float(stepCount))
        let moments = (m, v)
        let b1 = s.beta1, b2 = s.beta2, eps = s.epsilon
        let stepSize = lr / b1c
        let invB2c = 1 / b2c
        // Large models split the pass over the two cores: single-threaded it is ~14% of a
        // SmolLM2-135M step (memory-bound; 16 bytes read and 12 written per parameter).
        let count = params.count
        let parts = count > 1 << 20 ? 2 : 1
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let lo = count * part / parts, hi = count * (part + 1) / parts
            let p = params.pointer, g = grads.pointer, m = moments.0.pointer, v = moments.1.pointer
            for i in lo..<hi {
                let gi = g[i] * clip
                let mi = b1 * m[i] + (1 - b1) * gi
                let vi = b2 * v[i] + (1 - b2) * gi * gi
                m[i] = mi
                v[i] = vi
                p[i] -= stepSize * mi / ((vi * invB2c).squareRoot() + eps)
            }
        }
        if s.weightDecay > 0 {
            // Decoupled decay, applied to the (pre-update) values' direction; the order difference
            // against PyTorch is O(lr²) per step.
            let k = 1 - lr * s.weightDecay
            let p = params.pointer
            for r in decayMask { for i in r { p[i] *= k } }
        }
        return norm
    }
}
