import Foundation

/// What an arm cost in CPU and wall time, summed over every run of the experiment that worked on
/// it (a resumed run adds to it), kept in `ARM/cost.json`.
public struct ArmCost: Codable, Sendable, Equatable {
    public var trainingCPUSeconds = 0.0
    public var trainingWallSeconds = 0.0
    public var evaluationCPUSeconds = 0.0
    public var evaluationWallSeconds = 0.0
    /// First and last training loss, when the arm was trained.
    public var trainingLoss: [Double] = []

    public init() {}

    static func file(in folder: URL) -> URL { folder.appendingPathComponent("cost.json") }

    public static func load(in folder: URL) throws -> ArmCost {
        guard let data = try? Data(contentsOf: file(in: folder)) else { return ArmCost() }
        return try JSONDecoder().decode(ArmCost.self, from: data)
    }

    public func save(in folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try JSONEncoder().encode(self).write(to: Self.file(in: folder), options: .atomic)
    }

    mutating func add(training spent: ProcessClock.Spent) {
        trainingCPUSeconds += spent.cpu
        trainingWallSeconds += spent.wall
    }

    mutating func add(evaluation spent: ProcessClock.Spent) {
        evaluationCPUSeconds += spent.cpu
        evaluationWallSeconds += spent.wall
    }
}

/// This process's CPU time (user + system, all threads) and wall time since `start()`.
struct ProcessClock {
    struct Spent { var cpu: Double; var wall: Double }
    let cpu: Double
    let wall: Date

    static func start() -> ProcessClock { ProcessClock(cpu: cpuSeconds(), wall: Date()) }

    func elapsed() -> Spent { Spent(cpu: Self.cpuSeconds() - cpu, wall: Date().timeIntervalSince(wall)) }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
