import Foundation
import Pipeline

/// Everything the main job does, in one file. The defaults are the embedded run (SmolLM2-135M,
/// two sites, a few short episodes) sized to finish on 2 cores in well under 30 minutes; a config
/// file overrides any subset of keys, e.g. a bigger crawl with a remote model:
///
/// ```json
/// {"model": "openai:gpt-4o-mini", "episodes": 200, "instances": 4,
///  "sites": ["shop", "admin", "forum", "code", "wiki"],
///  "exploration": {"maxActions": 40}, "training": {"steps": 500}}
/// ```
public struct MainJobConfig: Codable, Sendable {
    /// Output folder (crawl store, response cache, dataset, checkpoint, reports).
    public var output = "runs/main"
    public var seed: UInt64 = 0
    public var sites = ["shop", "forum"]
    /// Site instances, hence episodes and evaluation tasks run at once. (One in-process model
    /// serves them all, one request at a time; a remote server gains from more.)
    public var instances = 2
    /// The explorer's model (policy, summarizer, labeler, judge, rationalizer): `local`, `local:PATH`,
    /// `openai:MODEL`, `vllm:MODEL@URL`, `http://host/v1#MODEL`...
    public var model = "local"
    public var apiKeyEnv = "OPENAI_API_KEY"
    public var episodes = 4
    /// The browser of exploration and evaluation: `native` (HTTP + libxml2, fast) or `chromium`
    /// (headless, runs JavaScript).
    public var browser = "native"
    public var exploration: ExplorationConfig = {
        // Sized for a 135M model on 2 CPU cores: short episodes, short pages and generations.
        // NNetnav's own values (40 actions, 1920-token pages, 384-token outputs) suit a large remote model.
        var c = ExplorationConfig().adaptedForSmallLocalModel()
        c.maxActions = 8
        c.maxObservationTokens = 640
        c.policyMaxTokens = 96
        c.moduleMaxTokens = 64
        c.postprocessMaxTokens = 96
        c.maxCandidateActions = 16
        c.rationaleAttempts = 1
        c.freeFormPolicy = false
        return c
    }()
    public var export = ExportSettings()
    public var training = TrainingSettings()
    public var evaluation = EvaluationSettings()

    public struct ExportSettings: Codable, Sendable {
        /// Budget of one SFT row in the student's tokens; pages are truncated, the system prompt and
        /// targets never. Evaluation renders its prompts with the same budget; it must not exceed
        /// `training.sequenceLength`, so the trainer never cuts a row.
        public var maxSequenceTokens = 1024
        /// Tokens kept free for the answer in every prompt (at least `evaluation.policyMaxTokens`).
        public var maxAnswerTokens = 128
        public var validationPercent = 20
    }

    public struct TrainingSettings: Codable, Sendable {
        /// Starting checkpoint (GGUF or safetensors); nil is the embedded model.
        public var baseModel: String?
        public var steps = 24
        public var batchSize = 1
        public var sequenceLength = 1024
        public var learningRate: Float = 2e-4
        public var warmupSteps = 3
        /// LoRA rank; 0 trains every weight.
        public var loraRank = 8
        public var loraAlpha: Float = 16
    }

    public struct EvaluationSettings: Codable, Sendable {
        /// Held-out tasks per site: the easiest ones (by reference-solution length), then by id.
        public var tasksPerSite = 1
        public var maxDifficulty = 3
        public var maxSteps = 4
        /// Generation limit of the evaluated policy (the prompt budget is `export`'s, as in training).
        public var policyMaxTokens = 64
        /// Evaluate the model before fine-tuning too, for the before/after comparison.
        public var baseline = true
        /// Tasks run at once. With the in-process model, whose requests run one at a time, more
        /// only interleaves prompts and defeats the engine's prompt-prefix reuse.
        public var instances = 1
    }

    public init() {}

    /// Reads a JSON file whose keys override the defaults, at any depth.
    public static func load(from url: URL) throws -> MainJobConfig {
        let overrides = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        guard let overrides = overrides as? [String: Any] else {
            throw MainJobError.badConfig("\(url.path): the top level must be a JSON object")
        }
        let defaults = try JSONSerialization.jsonObject(with: JSONEncoder().encode(MainJobConfig())) as! [String: Any]
        let merged = merge(defaults, overrides)
        do {
            return try JSONDecoder().decode(MainJobConfig.self, from: JSONSerialization.data(withJSONObject: merged))
        } catch {
            throw MainJobError.badConfig("\(url.path): \(error)")
        }
    }

    static func merge(_ base: [String: Any], _ overrides: [String: Any]) -> [String: Any] {
        var out = base
        for (key, value) in overrides {
            if let nested = value as? [String: Any], let original = base[key] as? [String: Any] {
                out[key] = merge(original, nested)
            } else {
                out[key] = value
            }
        }
        return out
    }
}

public enum MainJobError: Error, CustomStringConvertible, Sendable {
    case badConfig(String)
    public var description: String {
        switch self {
        case .badConfig(let m): return "bad config: \(m)"
        }
    }
}
