import Foundation

public enum ExperimentError: Error, CustomStringConvertible, Sendable {
    case badSettings(String)
    case noData(String)

    public var description: String {
        switch self {
        case .badSettings(let m): return "bad experiment settings: \(m)"
        case .noData(let m): return "no training data: \(m)"
        }
    }
}
