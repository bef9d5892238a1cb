import Foundation
import NNetnavSupport

extension ExplorationConfig: ConfigSection {
    /// Throws a `ConfigError` naming the first setting outside its range (keys under `checks`' path).
    public func validate(_ checks: ConfigChecks = ConfigChecks()) throws {
        try checks.positive("maxActions", maxActions)
        for (site, limit) in (siteMaxActions ?? [:]).sorted(by: { $0.key < $1.key }) {
            try checks.section("siteMaxActions").positive(site, limit)
        }
        try checks.positive("labelInterval", labelInterval)
        try checks.within("judgeThreshold", judgeThreshold, 1...5)
        try checks.positive("maxConsecutiveParseFailures", maxConsecutiveParseFailures)
        try checks.positive("maxRepeatedActions", maxRepeatedActions)
        try checks.within("noveltyJaccard", noveltyJaccard, 0...1)
        try checks.nonNegative("policyTemperature", policyTemperature)
        try checks.within("policyTopP", policyTopP, 0.000_001...1)
        try checks.positive("policyMaxTokens", policyMaxTokens)
        try checks.positive("moduleMaxTokens", moduleMaxTokens)
        try checks.positive("postprocessMaxTokens", postprocessMaxTokens)
        try checks.nonNegative("moduleTemperature", moduleTemperature)
        try checks.nonNegative("judgeTemperature", judgeTemperature)
        try checks.positive("maxCandidateActions", maxCandidateActions)
        try checks.positive("maxObservationTokens", maxObservationTokens)
        try checks.positive("rationaleAttempts", rationaleAttempts)
        try checks.nonNegative("postprocessTemperature", postprocessTemperature)
        if let maxDemonstrationsPerEpisode { try checks.positive("maxDemonstrationsPerEpisode", maxDemonstrationsPerEpisode) }
        if let nearDuplicateJaccard { try checks.within("nearDuplicateJaccard", nearDuplicateJaccard, 0...1) }
        try checks.positive("maxInstructionWords", maxInstructionWords)
    }

    /// Reads an exploration config from a JSON file: an `ExplorationConfig` object, or a file with
    /// one under `"exploration"` (a main-job config). Unknown keys, wrong types and values out of
    /// range are errors that name the file and the key.
    public static func load(from url: URL) throws -> ExplorationConfig {
        do {
            let data = try Data(contentsOf: url)
            guard let top = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw ConfigError(key: "", problem: "the top level must be a JSON object")
            }
            let (object, checks) = if let nested = top["exploration"] as? [String: Any] {
                (nested, ConfigChecks(path: "exploration"))
            } else {
                (top, ConfigChecks())
            }
            try ConfigKeys.checkNoUnknownKeys(object, against: ExplorationConfig(), path: checks.path)
            let config: ExplorationConfig
            do {
                config = try JSONDecoder().decode(ExplorationConfig.self, from: JSONSerialization.data(withJSONObject: object))
            } catch {
                var described = ConfigKeys.error(error)
                described.key = checks.path.isEmpty ? described.key : checks.path + "." + described.key
                throw described
            }
            try config.validate(checks)
            return config
        } catch let error as ConfigError {
            throw error.inFile(url.path)
        } catch {
            throw ConfigError(file: url.path, key: "", problem: "\(error)")
        }
    }
}
