import Foundation

/// Jensen–Shannon divergence (natural log) between the next-token distributions of two logit rows:
/// ½KL(P‖M) + ½KL(Q‖M), M = (P+Q)/2. 0 for identical rows, at most ln 2.
public enum JensenShannon {
    public static func divergence(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>) -> Double {
        let p = softmax(a), q = softmax(b)
        var total = 0.0
        for i in 0..<p.count {
            let m = (p[i] + q[i]) / 2
            if p[i] > 0 { total += 0.5 * p[i] * log(p[i] / m) }
            if q[i] > 0 { total += 0.5 * q[i] * log(q[i] / m) }
        }
        return max(0, total)
    }

    static func softmax(_ logits: UnsafeBufferPointer<Float>) -> [Double] {
        let m = Double(logits.max() ?? 0)
        var e = logits.map { exp(Double($0) - m) }
        let s = e.reduce(0, +)
        for i in e.indices { e[i] /= s }
        return e
    }
}
