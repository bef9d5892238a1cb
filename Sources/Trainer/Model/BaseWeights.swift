import Kernels
import LlamaModel

/// The model's weights in the layout of `ParameterLayout`, as the passes read them.
enum BaseWeights {
    /// fp32, read in place (and trained in place by full fine-tuning).
    case fp32(FloatBuffer)
    /// A LoRA run's frozen base under bf16.
    case bf16(FrozenBF16Weights)
}

/// A frozen base stored in bf16 (half of fp32's bytes: 0.25 GiB saved on SmolLM2-135M). Matrices
/// are widened to fp32 into `panel` right before each GEMM that reads them (the GEMM itself is
/// OpenBLAS's fp32 sgemm, so accumulation is fp32); the vectors (norm gains, Qwen biases) are a few
/// thousand values read by every row, so they keep an fp32 copy.
final class FrozenBF16Weights: @unchecked Sendable {
    let layout: ParameterLayout
    /// Every tensor, rounded to bf16, at its layout offset.
    let values: BFloat16Buffer
    /// The 1-D tensors in fp32, packed one after another; `vectorOffsets` maps layout offset → offset here.
    private let vectors: FloatBuffer
    private let vectorOffsets: [Int: Int]
    /// Scratch for one widened matrix, or for a panel of the output head's rows.
    let panel: FloatBuffer

    init(layout: ParameterLayout, from fp32: FloatBuffer) {
        self.layout = layout
        values = BFloat16Buffer(count: layout.total)
        BFloat16Passes.round(fp32.pointer, into: values.pointer, count: layout.total, workers: WorkSplit.cores)
        var offsets: [Int: Int] = [:]
        var total = 0
        for slot in layout.slots where slot.shape.count == 1 {
            offsets[slot.offset] = total
            total += slot.count
        }
        vectors = FloatBuffer(count: total)
        for slot in layout.slots where slot.shape.count == 1 {
            (vectors.pointer + offsets[slot.offset]!).update(from: fp32.pointer + slot.offset, count: slot.count)
        }
        vectorOffsets = offsets
        panel = FloatBuffer(count: Self.panelFloats(layout.config))
    }

    /// The largest matrix of a decoder block: the panel holds any of them whole, and a panel of
    /// `panelFloats / dim` rows of the output head.
    static func panelFloats(_ c: LlamaConfig) -> Int {
        max(c.queryDim * c.dim, c.kvDim * c.dim, c.hiddenDim * c.dim, 64 * c.dim)
    }

    /// Bytes this representation holds for a model of this layout.
    static func bytes(_ layout: ParameterLayout) -> Int {
        let vectorCount = layout.slots.filter { $0.shape.count == 1 }.reduce(0) { $0 + $1.count }
        return layout.total * MemoryLayout<UInt16>.size + (vectorCount + panelFloats(layout.config)) * MemoryLayout<Float>.size
    }

    func vector(_ offset: Int) -> UnsafeMutablePointer<Float> {
        guard let o = vectorOffsets[offset] else { preconditionFailure("no 1-D tensor at offset \(offset)") }
        return vectors.pointer + o
    }

    /// All weights in fp32 (exact: bf16 widens without rounding), for export.
    func widened() -> FloatBuffer {
        let out = FloatBuffer(count: layout.total)
        BFloat16Passes.widen(values.pointer, into: out.pointer, count: layout.total, workers: WorkSplit.cores)
        for slot in layout.slots where slot.shape.count == 1 {
            (out.pointer + slot.offset).update(from: vector(slot.offset), count: slot.count)
        }
        return out
    }
}

/// One weight matrix (out, in) of a linear layer, as stored.
enum StoredMatrix {
    case fp32(UnsafeMutablePointer<Float>)
    /// bf16 values, widened into `panel` (which must hold the whole matrix) before use.
    case bf16(UnsafePointer<UInt16>, panel: UnsafeMutablePointer<Float>)

    /// The matrix's `count` values in fp32: in place, or freshly widened into the panel (valid
    /// until the next matrix is widened there).
    func fp32(count: Int, workers: Int) -> UnsafeMutablePointer<Float> {
        switch self {
        case .fp32(let w): return w
        case .bf16(let w, let panel):
            BFloat16Passes.widen(w, into: panel, count: count, workers: workers)
            return panel
        }
    }
}
