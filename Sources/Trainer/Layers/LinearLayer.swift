/// A linear layer's weights (out, in) as stored (fp32, or a frozen bf16 base), its gradient (nil
/// when frozen) and an optional low-rank adapter. `saved` holds x·Aᵀ (rows × rank) between forward and backward.
struct LinearWeights {
    var weight: StoredMatrix
    var grad: UnsafeMutablePointer<Float>?
    var outFeatures: Int
    var inFeatures: Int
    var adapter: Adapter?

    struct Adapter {
        var a: UnsafeMutablePointer<Float>
        var b: UnsafeMutablePointer<Float>
        var da: UnsafeMutablePointer<Float>
        var db: UnsafeMutablePointer<Float>
        var rank: Int
        var scale: Float
        var saved: UnsafeMutablePointer<Float>
    }
}

/// out = x·Wᵀ (+ scale · (x·Aᵀ)·Bᵀ).
func linearForward(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ w: LinearWeights, rows n: Int, gemm: SplitMatmul) {
    let weight = w.weight.fp32(count: w.outFeatures * w.inFeatures, workers: gemm.workers)
    gemm.linear(out, x, weight, m: n, n: w.outFeatures, k: w.inFeatures)
    if let ad = w.adapter {
        gemm.linear(ad.saved, x, ad.a, m: n, n: ad.rank, k: w.inFeatures)
        gemm.linear(out, ad.saved, ad.b, m: n, n: w.outFeatures, k: ad.rank, alpha: ad.scale, beta: 1)
    }
}

/// dW += dyᵀ·x; dx (+)= dy·W (accumulates when `accumulate`); adapter gradients likewise.
/// `scratch` holds rows × rank floats.
func linearBackward(_ dx: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                    _ w: LinearWeights, rows n: Int, accumulate: Bool, scratch: UnsafeMutablePointer<Float>, gemm: SplitMatmul) {
    if let dw = w.grad {
        gemm.tn(dw, dy, x, m: w.outFeatures, n: w.inFeatures, k: n, beta: 1)
    }
    let weight = w.weight.fp32(count: w.outFeatures * w.inFeatures, workers: gemm.workers)
    gemm.nn(dx, dy, weight, m: n, n: w.inFeatures, k: w.outFeatures, beta: accumulate ? 1 : 0)
    if let ad = w.adapter {
        // u = dy·B (rows × rank)
        gemm.nn(scratch, dy, ad.b, m: n, n: ad.rank, k: w.outFeatures)
        gemm.tn(ad.db, dy, ad.saved, m: w.outFeatures, n: ad.rank, k: n, alpha: ad.scale, beta: 1)
        gemm.tn(ad.da, scratch, x, m: ad.rank, n: w.inFeatures, k: n, alpha: ad.scale, beta: 1)
        gemm.nn(dx, scratch, ad.a, m: n, n: w.inFeatures, k: ad.rank, alpha: ad.scale, beta: 1)
    }
}
