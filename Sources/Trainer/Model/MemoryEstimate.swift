import Foundation

/// What a training run will hold in memory, computed from the shapes before anything large is
/// allocated, so a setting that cannot fit is refused up front instead of being killed mid-run.
public struct MemoryEstimate: Sendable, CustomStringConvertible {
    /// Model weights: fp32 (trained, or frozen with LoRA), or a bf16 LoRA base with its fp32
    /// vectors and widening panel.
    public var weights: Int
    /// Trained values other than the weights (LoRA adapters), their gradients, AdamW's two moments.
    public var adapters: Int
    public var gradients: Int
    public var optimizer: Int
    /// The activation arena of one micro-batch (kept blocks, stream, scratch).
    public var activations: Int
    /// Runtime, tokenizer, data, code: measured as the resident size of a small run.
    public var overhead: Int
    public var recompute: Bool
    public var precision: TrainingPrecision

    public var total: Int { weights + adapters + gradients + optimizer + activations + overhead }

    public var description: String {
        func gib(_ b: Int) -> String { String(format: "%.2f GiB", Double(b) / Double(1 << 30)) }
        // Say where bf16 applies: the frozen base only exists with LoRA, saved activations only when kept.
        let bf16Weights = precision == .bf16 && adapters > 0
        var parts = ["weights \(gib(weights))\(bf16Weights ? " (bf16)" : "")"]
        if adapters > 0 { parts.append("adapters \(gib(adapters))") }
        let activationNote = recompute ? " (blocks recomputed)" : precision == .bf16 ? " (saved tensors in bf16)" : ""
        parts += ["gradients \(gib(gradients))", "AdamW \(gib(optimizer))",
                  "activations \(gib(activations))\(activationNote)", "runtime \(gib(overhead))"]
        return "\(gib(total)) = " + parts.joined(separator: " + ") + ", precision \(precision)"
    }

    /// Resident size of the process besides the tensors counted above (measured with
    /// `/usr/bin/time -v` on small runs: Swift runtime, OpenBLAS buffers, tokenizer, dataset).
    public static let runtimeOverhead = 400 << 20

    /// Memory this process may plan to use: what the system reports as available now (other
    /// programs share the machine), less a margin for the page cache and allocator slack.
    public static func availableBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let fields = line.split(separator: " ")
            if fields.count >= 2, let kib = Int(fields[1]) { return kib * 1024 / 10 * 9 }
        }
        return nil
    }
}

extension TrainableLlama {
    /// Memory of training this model with micro-batches of `batch` × `seq` tokens, at the model's
    /// precision or, to weigh an alternative, another one.
    public func memoryEstimate(batch: Int, seq: Int, recompute: Bool, precision: TrainingPrecision? = nil) -> MemoryEstimate {
        let precision = precision ?? self.precision
        let trained = trainable.values.count
        let bf16Base = precision == .bf16 && adapters != nil
        return MemoryEstimate(
            weights: bf16Base ? FrozenBF16Weights.bytes(layout) : layout.total * 4,
            adapters: adapters == nil ? 0 : trained * 4,
            gradients: trained * 4,
            optimizer: 2 * trained * 4,
            activations: activationBytes(batch: batch, seq: seq, recompute: recompute, precision: precision),
            overhead: MemoryEstimate.runtimeOverhead,
            recompute: recompute,
            precision: precision)
    }

    /// Chooses recomputation when keeping every block's activations would not fit in `budget`
    /// bytes, and refuses the setting when even recomputation would not.
    public func planMemory(batch: Int, seq: Int, budget: Int) throws -> MemoryEstimate {
        let kept = memoryEstimate(batch: batch, seq: seq, recompute: recompute)
        if kept.total <= budget { return kept }
        let lean = memoryEstimate(batch: batch, seq: seq, recompute: true)
        guard lean.total <= budget else {
            // bf16 is only suggested when it would make this very setting fit.
            let bf16Fits = precision == .fp32 && memoryEstimate(batch: batch, seq: seq, recompute: true, precision: .bf16).total <= budget
            throw TrainerError.doesNotFit(
                "training \(batch) × \(seq) tokens needs \(lean.description), over the \(String(format: "%.2f", Double(budget) / Double(1 << 30))) GiB available; "
                + (bf16Fits ? "--precision bf16 would fit, or " : "")
                + "use a smaller --batch-size (with --grad-accum to keep the tokens per step), a shorter --seq-len, or LoRA")
        }
        recompute = true
        return lean
    }
}
