/// Root-mean-square normalisation with a learned scale, the one implementation for the engine
/// and the trainer's forward: y = x · rstd · w with rstd = 1/√(mean(x²) + eps), per row.
public enum RMSNorm {
    /// Normalises `rows` rows of `width` values; writes each row's rstd to `rstd` when given
    /// (the trainer's backward needs it).
    public static func forward(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
                               rows: Int, width: Int, eps: Float, rstd: UnsafeMutablePointer<Float>? = nil) {
        let chunks = width / 16
        for r in 0..<rows {
            let xr = x + r * width, o = out + r * width
            // SIMD16 partial sums: a scalar float reduction does not vectorise (strict FP order).
            var acc = SIMD16<Float>()
            let raw = UnsafeRawPointer(xr)
            for i in 0..<chunks {
                let v = raw.loadUnaligned(fromByteOffset: i * 64, as: SIMD16<Float>.self)
                acc += v * v
            }
            var sum = acc.sum()
            for i in chunks * 16 ..< width { sum += xr[i] * xr[i] }
            let scale = 1 / (sum / Float(width) + eps).squareRoot()
            rstd?[r] = scale
            for i in 0..<width { o[i] = xr[i] * scale * weight[i] }
        }
    }
}
