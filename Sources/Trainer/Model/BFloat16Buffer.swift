import Kernels

/// A zero-initialised heap array of bf16 values (raw `UInt16` bit patterns) with a stable address:
/// `FloatBuffer`'s counterpart for what the trainer stores in bf16.
final class BFloat16Buffer: @unchecked Sendable {
    let count: Int
    let pointer: UnsafeMutablePointer<UInt16>

    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { pointer.deallocate() }
}

/// Conversions of the trainer's large tensors, split over the cores like its other elementwise passes.
enum BFloat16Passes {
    static func round(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<UInt16>, count: Int, workers: Int) {
        let p = Pair(source: src, destination: dst)
        WorkSplit.ranges(count, workers: workers) { r in
            BFloat16Conversion.round(p.source + r.lowerBound, into: p.destination + r.lowerBound, count: r.count)
        }
    }

    static func widen(_ src: UnsafePointer<UInt16>, into dst: UnsafeMutablePointer<Float>, count: Int, workers: Int) {
        let p = Pair(source: src, destination: dst)
        WorkSplit.ranges(count, workers: workers) { r in
            BFloat16Conversion.widen(p.source + r.lowerBound, into: p.destination + r.lowerBound, count: r.count)
        }
    }

    /// Source and destination handed to the workers, each of which converts its own range.
    private struct Pair<Source, Destination>: @unchecked Sendable {
        let source: UnsafePointer<Source>
        let destination: UnsafeMutablePointer<Destination>
    }
}
