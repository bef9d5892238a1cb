import Foundation

/// What a training run will hold in memory, computed from the shapes before anything large is
/// allocated, so a setting that cannot fit is refused up front instead of being killed mid-run.
public struct MemoryEstimate: Sendable, CustomStringConvertible {
    /// fp32 model weights (frozen with LoRA, trained otherwise).
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

    public var total: Int { weights + adapters + gradients + optimizer + activations + overhead }

    public var description: String {
        func gib(_ b: Int) -> String { String(format: "%.2f GiB", Double(b) / Double(1 << 30)) }
        var parts = ["weights \(gib(weights))"]
        if adapters > 0 { parts.append("adapters \(gib(adapters))") }
        parts += ["gradients \(gib(gradients))", "AdamW \(gib(optimizer))",
                  "activations \(gib(activations))\(recompute ? " (blocks recomputed)" : "")", "runtime \(gib(overhead))"]
        return "\(gib(total)) = " + parts.joined(separator: " + ")
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
    /// Memory of training this model with micro-batches of `batch` × `seq` tokens.
    public func memoryEstimate(batch: Int, seq: Int, recompute: Bool) -> MemoryEstimate {
        let trained = trainable.values.count
        return MemoryEstimate(
            weights: layout.total * 4,
            adapters: adapters == nil ? 0 : trained * 4,
            gradients: trained * 4,
            optimizer: 2 * trained * 4,
            activations: activationBytes(batch: batch, seq: seq, recompute: recompute),
            overhead: MemoryEstimate.runtimeOverhead,
            recompute: recompute)
    }

    /// Chooses recomputation when keeping every block's activations would not fit in `budget`
    /// bytes, and refuses the setting when even recomputation would not.
    public func planMemory(batch: Int, seq: Int, budget: Int) throws -> MemoryEstimate {
        let kept = memoryEstimate(batch: batch, seq: seq, recompute: recompute)
        if kept.total <= budget { return kept }
        let lean = memoryEstimate(batch: batch, seq: seq, recompute: true)
        guard lean.total <= budget else {
            throw TrainerError.doesNotFit(
                "training \(batch) × \(seq) tokens needs \(lean.description), over the \(String(format: "%.2f", Double(budget) / Double(1 << 30))) GiB available; "
                + "use a smaller --batch-size (with --grad-accum to keep the tokens per step), a shorter --seq-len, or LoRA")
        }
        recompute = true
        return lean
    }
}
