import Foundation

/// This process's CPU time (user + system, all threads) and wall time since `start()`.
public struct ProcessClock: Sendable {
    public struct Spent: Sendable { public var cpu: Double; public var wall: Double }
    public let cpu: Double
    public let wall: Date

    public static func start() -> ProcessClock { ProcessClock(cpu: cpuSeconds(), wall: Date()) }

    public func elapsed() -> Spent { Spent(cpu: Self.cpuSeconds() - cpu, wall: Date().timeIntervalSince(wall)) }

    public static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
