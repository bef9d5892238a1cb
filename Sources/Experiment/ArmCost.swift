import Foundation
import NNetnavSupport

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

