import Kernels

/// A linear layer's weights (out, in), its gradient (nil when frozen) and an optional
/// low-rank adapter. `saved` holds x·Aᵀ (rows × rank) between forward and backward.
struct LinearWeights {
    var weight: UnsafeMutablePointer<Float>
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
func linearForward(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ w: LinearWeights, rows n: Int) {
    GEMMClock.measure(m: n, n: w.outFeatures, k: w.inFeatures) { Matmul.linear(out, x, w.weight, m: n, n: w.outFeatures, k: w.inFeatures) }
    if let ad = w.adapter {
        GEMMClock.measure(m: n, n: ad.rank, k: w.inFeatures) { Matmul.linear(ad.saved, x, ad.a, m: n, n: ad.rank, k: w.inFeatures) }
        GEMMClock.measure(m: n, n: w.outFeatures, k: ad.rank) { Matmul.linear(out, ad.saved, ad.b, m: n, n: w.outFeatures, k: ad.rank, alpha: ad.scale, beta: 1) }
    }
}

/// dW += dyᵀ·x; dx (+)= dy·W (accumulates when `accumulate`); adapter gradients likewise.
/// `scratch` holds rows × rank floats.
func linearBackward(_ dx: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                    _ w: LinearWeights, rows n: Int, accumulate: Bool, scratch: UnsafeMutablePointer<Float>) {
    if let dw = w.grad {
        GEMMClock.measure(m: w.outFeatures, n: w.inFeatures, k: n) { Matmul.tn(dw, dy, x, m: w.outFeatures, n: w.inFeatures, k: n, beta: 1) }
    }
    GEMMClock.measure(m: n, n: w.inFeatures, k: w.outFeatures) { Matmul.nn(dx, dy, w.weight, m: n, n: w.inFeatures, k: w.outFeatures, beta: accumulate ? 1 : 0) }
    if let ad = w.adapter {
        // u = dy·B (rows × rank)
        GEMMClock.measure(m: n, n: ad.rank, k: w.outFeatures) { Matmul.nn(scratch, dy, ad.b, m: n, n: ad.rank, k: w.outFeatures) }
        GEMMClock.measure(m: w.outFeatures, n: ad.rank, k: n) { Matmul.tn(ad.db, dy, ad.saved, m: w.outFeatures, n: ad.rank, k: n, alpha: ad.scale, beta: 1) }
        GEMMClock.measure(m: ad.rank, n: w.inFeatures, k: n) { Matmul.tn(ad.da, scratch, x, m: ad.rank, n: w.inFeatures, k: n, alpha: ad.scale, beta: 1) }
        GEMMClock.measure(m: n, n: w.inFeatures, k: ad.rank) { Matmul.nn(dx, scratch, ad.a, m: n, n: w.inFeatures, k: ad.rank, alpha: ad.scale, beta: 1) }
    }
}
