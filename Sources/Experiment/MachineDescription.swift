import Foundation
import Kernels

/// The machine a result came from: absolute times differ about 2× between this project's machine
/// kinds, so every report names the CPU, the kernels it used and how loaded the machine was.
public struct MachineDescription: Codable, Sendable, Equatable {
    public var cpu: String
    public var cores: Int
    public var kernels: String
    public var features: String
    public var loadAverage: Double

    public static func current() -> MachineDescription {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = info.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" } ?? "unknown"
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.flatMap { Double($0) }
        return MachineDescription(cpu: model, cores: ProcessInfo.processInfo.activeProcessorCount,
                                  kernels: KernelLevel.best.description, features: KernelLevel.cpuFeatures,
                                  loadAverage: load ?? -1)
    }

    public var text: String {
        "\(cpu), \(cores) cores, kernels \(kernels) (\(features)), load \(String(format: "%.2f", loadAverage)) at the end"
    }
}
