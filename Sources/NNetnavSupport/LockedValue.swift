import Foundation

/// A value behind a lock, for the few mutable fields of otherwise immutable Sendable types
/// (the crawl store's writer lock and queue, the shared store's claim buffer).
public final class LockedValue<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()
    public init(_ value: Value) { self.value = value }
    public func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
