import CKernels

/// ggml block encodings the quantized matrix-vector kernels read directly (32 values per block).
public enum QuantizedFormat: UInt32, Sendable, CaseIterable {
    case q4_0 = 2, q4_1 = 3, q8_0 = 8

    public var blockBytes: Int {
        switch self {
        case .q4_0: return 18
        case .q4_1: return 20
        case .q8_0: return 34
        }
    }
}

/// A weight matrix (out, in) kept in its quantized file encoding for single-token decoding,
/// which reads every weight once per token: Q4_1 is 5 bits per weight against 32 for fp32.
/// The blocks are repacked at load into 16-row tiles (`nn_tile_quantized`), so the kernels advance
/// 8 or 16 rows per integer dot-product instruction; the values and scales are the file's, bit for bit.
public final class QuantizedMatrix: @unchecked Sendable {
    public let format: QuantizedFormat
    public let rows: Int
    public let columns: Int
    /// Bytes of one row in the file's row-major encoding.
    public let rowBytes: Int
    /// Bytes of the tiled copy (rows padded to 16).
    public let byteCount: Int
    private let tiles: UnsafeMutableRawPointer

    /// `bytes`: `rows` rows of `columns / 32` blocks each, as in a GGUF tensor.
    public init(format: QuantizedFormat, rows: Int, columns: Int, bytes: UnsafeRawPointer) {
        precondition(columns % 32 == 0, "quantized rows need whole 32-value blocks")
        self.format = format
        self.rows = rows
        self.columns = columns
        rowBytes = columns / 32 * format.blockBytes
        byteCount = nn_tiled_bytes(Int32(format.rawValue), Int32(rows), Int32(columns))
        tiles = .allocate(byteCount: max(byteCount, 1), alignment: 64)
        let status = nn_tile_quantized(Int32(format.rawValue), bytes, rowBytes, Int32(rows), Int32(columns), tiles)
        precondition(status == 0, "cannot tile \(format) \(rows)×\(columns)")
    }

    deinit { tiles.deallocate() }

    /// y[r] (+)= Σ_c W[r, c]·x[c] for r in `range`, with x already quantized.
    @inlinable
    public func multiply(_ y: UnsafeMutablePointer<Float>, _ x: QuantizedActivation, rows range: Range<Int>,
                         accumulate: Bool, level: KernelLevel = .best) {
        precondition(x.count == columns, "activation has \(x.count) values, matrix \(columns) columns")
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "rows \(range) outside 0..<\(rows)")
        multiplyRaw(y, x, range, accumulate, level)
    }

    @usableFromInline
    func multiplyRaw(_ y: UnsafeMutablePointer<Float>, _ x: QuantizedActivation, _ range: Range<Int>,
                     _ accumulate: Bool, _ level: KernelLevel) {
        let status = nn_matvec_tiled(level.rawValue, Int32(format.rawValue), tiles, Int32(columns),
                                     x.values, x.scales, x.sums, y, Int32(range.lowerBound), Int32(range.upperBound),
                                     accumulate ? 1 : 0)
        precondition(status == 0, "quantized kernel \(level) unavailable for \(format)")
    }
}

/// An activation row quantized to int8 per 32-value block (scale and scaled sum per block), the
/// other operand of `QuantizedMatrix.multiply`. Reused across tokens.
public final class QuantizedActivation: @unchecked Sendable {
    public let count: Int
    public let values: UnsafeMutablePointer<Int8>
    public let scales: UnsafeMutablePointer<Float>
    public let sums: UnsafeMutablePointer<Float>

    public init(count: Int) {
        precondition(count % 32 == 0, "quantized activations need whole 32-value blocks")
        self.count = count
        values = .allocate(capacity: count)
        scales = .allocate(capacity: count / 32)
        sums = .allocate(capacity: count / 32)
    }

    deinit { values.deallocate(); scales.deallocate(); sums.deallocate() }

    /// Quantizes `x[0..<count]` into this buffer.
    public func quantize(_ x: UnsafePointer<Float>, level: KernelLevel = .best) {
        quantize(x, blocks: 0 ..< count / 32, level: level)
    }

    /// Quantizes the 32-value blocks `blocks` of `x` (x[32·b ..< 32·b + 32] for b in `blocks`), so
    /// the parts of a split can each quantize the values they produced.
    public func quantize(_ x: UnsafePointer<Float>, blocks: Range<Int>, level: KernelLevel = .best) {
        precondition(blocks.lowerBound >= 0 && blocks.upperBound <= count / 32, "blocks \(blocks) outside \(count / 32)")
        guard !blocks.isEmpty else { return }
        let b = blocks.lowerBound
        let status = nn_quantize_row_q8_level(level.rawValue, x + 32 * b, Int32(32 * blocks.count), values + 32 * b,
                                              scales + b, sums + b)
        precondition(status == 0, "quantize kernel \(level) unavailable")
    }
}
