/// Float buffers handed to the workers of a split loop (decode threads, the trainer's softmax
/// halves). Each worker touches its own disjoint rows, which is what makes sharing them sound.
public struct SendableMutablePointer: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    @inlinable public init(_ pointer: UnsafeMutablePointer<Float>) { self.pointer = pointer }
}

/// A read-only `SendableMutablePointer`.
public struct SendablePointer: @unchecked Sendable {
    public let pointer: UnsafePointer<Float>
    @inlinable public init(_ pointer: UnsafePointer<Float>) { self.pointer = pointer }
}
