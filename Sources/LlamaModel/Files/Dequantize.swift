import Kernels

/// Decoding of GGUF tensor encodings into Float, and the reverse (used to write test models
/// and to export checkpoints). Block layouts follow ggml: 32 values share an f16 scale `d`
/// (and for Q4_1 an f16 minimum `m`); Q4 nibbles hold value j in the low half of byte j and
/// value j+16 in the high half.
public enum Dequantize {
    @inline(__always)
    static func half(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
        Float(Float16(bitPattern: p.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
    }

    /// Decodes `count` elements of `type` from `source` into `out`.
    public static func decode(_ type: GGMLType, from source: UnsafeRawPointer, count: Int,
                              into out: UnsafeMutablePointer<Float>) {
        switch type {
        case .f32:
            out.update(from: source.assumingMemoryBound(to: Float.self), count: count)
            // (GGUF aligns tensor data to 32 bytes, so the typed view is aligned.)
        case .f16:
            for i in 0..<count { out[i] = half(source, 2 * i) }
        case .bf16:
            for i in 0..<count {
                let bits = UInt32(source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) << 16
                out[i] = Float(bitPattern: bits)
            }
        case .q8_0:
            for b in 0..<count / 32 {
                let block = source + b * 34
                let d = half(block, 0)
                let qs = (block + 2).assumingMemoryBound(to: Int8.self)
                let o = out + b * 32
                for j in 0..<32 { o[j] = Float(qs[j]) * d }
            }
        case .q4_0:
            for b in 0..<count / 32 {
                let block = source + b * 18
                let d = half(block, 0)
                let qs = (block + 2).assumingMemoryBound(to: UInt8.self)
                let o = out + b * 32
                for j in 0..<16 {
                    o[j] = Float(Int(qs[j] & 0x0F) - 8) * d
                    o[j + 16] = Float(Int(qs[j] >> 4) - 8) * d
                }
            }
        case .q4_1:
            for b in 0..<count / 32 {
                let block = source + b * 20
                let d = half(block, 0)
                let m = half(block, 2)
                let qs = (block + 4).assumingMemoryBound(to: UInt8.self)
                let o = out + b * 32
                for j in 0..<16 {
                    o[j] = Float(qs[j] & 0x0F) * d + m
                    o[j + 16] = Float(qs[j] >> 4) * d + m
                }
            }
        }
    }

    public static func decode(_ type: GGMLType, bytes: [UInt8], count: Int) -> [Float] {
        var out = [Float](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            out.withUnsafeMutableBufferPointer { decode(type, from: raw.baseAddress!, count: count, into: $0.baseAddress!) }
        }
        return out
    }
}

/// Encoding Float into GGUF tensor formats (round-to-nearest, as ggml's reference quantisers).
public enum Quantize {
    public static func encode(_ values: [Float], as type: GGMLType) -> [UInt8] {
        precondition(values.count % type.blockSize == 0, "\(type.name) needs a multiple of \(type.blockSize) values")
        var out: [UInt8] = []
        out.reserveCapacity(type.byteCount(elements: values.count))
        func appendHalf(_ x: Float) {
            let bits = Float16(x).bitPattern
            out.append(UInt8(bits & 0xFF)); out.append(UInt8(bits >> 8))
        }
        switch type {
        case .f32:
            for v in values { let b = v.bitPattern; for s in stride(from: 0, to: 32, by: 8) { out.append(UInt8((b >> s) & 0xFF)) } }
        case .f16:
            for v in values { appendHalf(v) }
        case .bf16:
            var halves = [UInt16](repeating: 0, count: values.count)
            values.withUnsafeBufferPointer { v in
                halves.withUnsafeMutableBufferPointer { h in
                    if let src = v.baseAddress, let dst = h.baseAddress { BFloat16Conversion.round(src, into: dst, count: v.count) }
                }
            }
            for h in halves { out.append(UInt8(h & 0xFF)); out.append(UInt8(h >> 8)) }
        case .q8_0:
            for b in 0..<values.count / 32 {
                let block = values[b * 32 ..< b * 32 + 32]
                let amax = block.map { abs($0) }.max() ?? 0
                let d = amax / 127
                let inv: Float = d == 0 ? 0 : 1 / d
                appendHalf(d)
                for v in block { out.append(UInt8(bitPattern: Int8(clamping: Int((v * inv).rounded())))) }
            }
        case .q4_0:
            for b in 0..<values.count / 32 {
                let block = Array(values[b * 32 ..< b * 32 + 32])
                // ggml: the value of largest magnitude maps to -8, keeping its sign.
                var maxv: Float = 0
                for v in block where abs(v) > abs(maxv) { maxv = v }
                let d = maxv / -8
                let inv: Float = d == 0 ? 0 : 1 / d
                appendHalf(d)
                func q(_ v: Float) -> UInt8 { UInt8(min(15, max(0, Int((v * inv + 8.5).rounded(.down))))) }
                for j in 0..<16 { out.append(q(block[j]) | (q(block[j + 16]) << 4)) }
            }
        case .q4_1:
            for b in 0..<values.count / 32 {
                let block = Array(values[b * 32 ..< b * 32 + 32])
                let lo = block.min() ?? 0, hi = block.max() ?? 0
                let d = (hi - lo) / 15
                let inv: Float = d == 0 ? 0 : 1 / d
                appendHalf(d); appendHalf(lo)
                func q(_ v: Float) -> UInt8 { UInt8(min(15, max(0, Int(((v - lo) * inv + 0.5).rounded(.down))))) }
                for j in 0..<16 { out.append(q(block[j]) | (q(block[j + 16]) << 4)) }
            }
        }
        return out
    }
}
