import Foundation

/// Rotary position embedding on interleaved pairs (x[2i], x[2i+1]) rotated by pos·θ^(−2i/headDim),
/// the order GGUF stores q/k rows in. The one implementation for the engine and the trainer.
public enum Rope {
    /// θ^(−2i/headDim) for i < headDim/2.
    public static func frequencies(headDim: Int, theta: Float) -> [Float] {
        (0..<headDim / 2).map { i in powf(theta, -2 * Float(i) / Float(headDim)) }
    }

    /// Rotates one head of `headDim` values from `source` into `destination` (which may be the
    /// same memory) with the cos/sin of its position (`headDim/2` values each).
    @inlinable @inline(__always)
    public static func rotate(_ destination: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>,
                              cos: UnsafePointer<Float>, sin: UnsafePointer<Float>, headDim: Int) {
        for i in 0..<headDim / 2 {
            let a = source[2 * i], b = source[2 * i + 1]
            destination[2 * i] = a * cos[i] - b * sin[i]
            destination[2 * i + 1] = a * sin[i] + b * cos[i]
        }
    }
}

/// cos and sin of pos·θ_i for positions `first ..< first + count`, `half` = headDim/2 values per position.
public struct RopeTable: Sendable {
    public let cos: [Float]
    public let sin: [Float]
    public let half: Int
    public let first: Int

    public init(headDim: Int, theta: Float, positions: Range<Int>) {
        self.init(headDim: headDim, theta: theta, positionList: Array(positions))
    }

    /// One row per listed position, in any order (rows of several continuations of one prompt
    /// share positions).
    public init(headDim: Int, theta: Float, positionList positions: [Int]) {
        let frequencies = Rope.frequencies(headDim: headDim, theta: theta)
        half = headDim / 2
        first = positions.first ?? 0
        var c = [Float](repeating: 0, count: positions.count * half), s = c
        for (row, p) in positions.enumerated() {
            for i in 0..<half {
                let angle = Float(p) * frequencies[i]
                c[row * half + i] = cosf(angle)
                s[row * half + i] = sinf(angle)
            }
        }
        cos = c
        sin = s
    }

    /// Positions 0 ..< maxPosition (the trainer's table).
    public init(headDim: Int, maxPosition: Int, theta: Float) {
        self.init(headDim: headDim, theta: theta, positions: 0..<maxPosition)
    }
}
