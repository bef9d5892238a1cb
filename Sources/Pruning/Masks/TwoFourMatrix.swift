/// A 2:4-sparse weight matrix stored compactly: for every 4 consecutive inputs of a row, the 2 kept fp32
/// values and their two 2-bit positions in one byte (2.25 bytes per dense weight instead of 4). Built to
/// measure whether N:M storage speeds up single-token decoding on CPUs without sparse tensor cores
/// (`nnetnav-bench pruning`); the engine does not use it (see README, "Pruning").
public struct TwoFourMatrix: Sendable {
    public let rows: Int
    public let columns: Int
    public private(set) var values: [Float]
    public private(set) var positions: [UInt8]

    /// Keeps the two largest-magnitude weights of every group of four (or those a 2:4 mask kept, if the
    /// matrix is already 2:4 sparse).
    public init(_ w: [Float], rows: Int, columns: Int) {
        precondition(columns % 4 == 0 && w.count == rows * columns)
        self.rows = rows
        self.columns = columns
        values = []
        positions = []
        values.reserveCapacity(rows * columns / 2)
        positions.reserveCapacity(rows * columns / 4)
        for g in stride(from: 0, to: rows * columns, by: 4) {
            let kept = (0..<4).sorted { abs(w[g + $0]) != abs(w[g + $1]) ? abs(w[g + $0]) > abs(w[g + $1]) : $0 < $1 }.prefix(2).sorted()
            values.append(w[g + kept[0]]); values.append(w[g + kept[1]])
            positions.append(UInt8(kept[0] | (kept[1] << 2)))
        }
    }

    public var byteCount: Int { values.count * 4 + positions.count }

    /// y = W·x over all rows.
    public func multiply(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        let groups = columns / 4
        values.withUnsafeBufferPointer { v in
            positions.withUnsafeBufferPointer { p in
                for r in 0..<rows {
                    var acc0: Float = 0, acc1: Float = 0
                    let rowGroup = r * groups
                    for g in 0..<groups {
                        let index = rowGroup + g, code = Int(p[index]), base = g * 4
                        acc0 += v[2 * index] * x[base + (code & 3)]
                        acc1 += v[2 * index + 1] * x[base + (code >> 2)]
                    }
                    y[r] = acc0 + acc1
                }
            }
        }
    }
}
