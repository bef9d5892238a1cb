import Evaluation
import Foundation
import NNetnavSupport
import Pipeline
import Trainer
import WebBrowser
import WebSites

/// Everything the main job does, in one file. The defaults are the embedded run (SmolLM2-135M,
/// two sites, a few short episodes) sized to finish on 2 cores in well under 30 minutes; a config
/// file overrides any subset of keys, e.g. a bigger crawl with a remote model:
///
/// ```json
/// {"teacher": "openai:gpt-4o-mini", "episodes": 200, "instances": 4,
///  "sites": ["shop", "admin", "forum", "code", "wiki"],
///  "exploration": {"maxActions": 40}, "training": {"steps": 500}}
/// ```
public struct MainJobConfig: Codable, Sendable, ConfigSection {
    /// Output folder (crawl store, response cache, dataset, checkpoint, reports).
    public var output = "runs/main"
    public var seed: UInt64 = 0
    public var sites = ["shop", "forum"]
    /// Site instances, hence episodes and evaluation tasks run at once. (One in-process model
    /// serves them all, one request at a time; a remote server gains from more.)
    public var instances = 2
    /// The teacher, as NNetnav calls the large model that explores, labels and judges (policy,
    /// summarizer, labeler, judge, rationalizer): any model spec — `local`, `local:PATH`,
    /// `openai:MODEL`, `vllm:MODEL@URL`, `http://host/v1#MODEL`...
    public var teacher = "local"
    /// The student: the local checkpoint that is fine-tuned on the demonstrations and evaluated
    /// before and after — `local` (the embedded SmolLM2-135M-Instruct), or `local:PATH` / `PATH`
    /// to a GGUF or safetensors file the engine and trainer run.
    public var student = "local"
    /// Variable holding the key for `teacher`'s endpoint; unset: only `openai:` (hosted) gets OPENAI_API_KEY.
    public var apiKeyEnv: String? = nil
    public var episodes = 4
    /// The browser of exploration and evaluation: `native` (HTTP + libxml2, fast) or `chromium`
    /// (headless, runs JavaScript).
    public var browser = "native"
    /// JPEG quality of the screenshot kept with each explored step when the browser is `chromium`
    /// (`nnetnav view` shows them); 0 keeps none. About 30–80 kB a step at 40.
    public var screenshotQuality = StepScreenshots().jpegQuality
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

    public struct ExportSettings: Codable, Sendable, ConfigSection {
        /// Budget of one SFT row in (estimated) tokens; pages are truncated, targets never.
        public var maxSequenceTokens = 1024
        /// Tokens kept free for the answer in every prompt (at least `evaluation.policyMaxTokens`).
        public var maxAnswerTokens = 128
        public var validationPercent = 20
    }

    public struct TrainingSettings: Codable, Sendable, ConfigSection, Equatable {
        public var steps = 24
        public var batchSize = 1
        public var sequenceLength = 1024
        public var learningRate: Float = 2e-4
        public var warmupSteps = 3
        /// LoRA rank; 0 trains every weight.
        public var loraRank = 8
        public var loraAlpha: Float = 16
        /// Loss weight of a row by its action's verb (`TrainingOptions.actionWeights`). Stops weigh a quarter by
        /// default: trimmed demonstrations are short, so their stop rows are over a third of the data, and
        /// unweighted a 135M student can learn to stop at once (README, "Does the data teach?", session 17).
        public var actionWeights: [String: Float] = ["stop": 0.25]

        public init() {}

        /// Why `weights` cannot be used (a verb no action has, a negative or non-finite weight), or nil.
        public static func problem(with weights: [String: Float]) -> String? {
            for (verb, weight) in weights.sorted(by: { $0.key < $1.key }) {
                guard ActionParser.verbs.contains(verb) else {
                    return "\"\(verb)\" is not an action verb; known: \(ActionParser.verbs.joined(separator: ", "))"
                }
                guard weight.isFinite, weight >= 0 else { return "the weight of \(verb) must be 0 or more, not \(weight)" }
            }
            return nil
        }
    }

    public struct EvaluationSettings: Codable, Sendable, ConfigSection {
        /// Held-out tasks per site: the easiest ones (by reference-solution length), then by id.
        public var tasksPerSite = 5
        public var maxDifficulty = 3
        public var maxSteps = 4
        /// Generation limit of the evaluated policy (the prompt budget is `export`'s, as in training).
        public var policyMaxTokens = 64
        /// How the policy picks an action (`PolicyDecoding`): `choice` (score the page's valid actions as
        /// whole answers in the trained format: one call per step, what the embedded student can do),
        /// `reasoned` (write the reasoning, then score them as its end) or `free` (write an answer, choose
        /// only when it does not parse).
        /// `reasoned` by default: the fine-tuned student was trained on reasoned targets, and scored without
        /// its reasoning it prefers the stop answer its data ends in (README, "Does the data teach?").
        public var decoding = "reasoned"
        /// Evaluate the model before fine-tuning too, for the before/after comparison.
        public var baseline = true
        /// Tasks run at once. With the in-process model, whose requests run one at a time, more
        /// only interleaves prompts and defeats the engine's prompt-prefix reuse.
        public var instances = 1
    }

    public init() {}

    /// Reads a JSON file whose keys override the defaults, at any depth. Unknown keys, wrong types
    /// and values out of range are errors that name the file and the key.
    public static func load(from url: URL) throws -> MainJobConfig {
        do {
            let overrides = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
            guard let overrides = overrides as? [String: Any] else {
                throw ConfigError(key: "", problem: "the top level must be a JSON object")
            }
            try ConfigKeys.checkNoUnknownKeys(overrides, against: MainJobConfig())
            let defaults = try JSONSerialization.jsonObject(with: JSONEncoder().encode(MainJobConfig())) as! [String: Any]
            let merged = merge(defaults, overrides)
            let config: MainJobConfig
            do {
                config = try JSONDecoder().decode(MainJobConfig.self, from: JSONSerialization.data(withJSONObject: merged))
            } catch {
                throw ConfigKeys.error(error)
            }
            try config.validate()
            return config
        } catch let error as ConfigError {
            throw error.inFile(url.path)
        } catch {
            throw ConfigError(file: url.path, key: "", problem: "\(error)")
        }
    }

    /// Throws a `ConfigError` naming the first setting outside its range.
    public func validate() throws {
        let checks = ConfigChecks()
        for site in sites {
            guard SiteName(rawValue: site) != nil else {
                throw ConfigError(key: "sites", problem: "\(SiteNameError.unknown(site))")
            }
        }
        guard !sites.isEmpty else { throw ConfigError(key: "sites", problem: "must name at least one site") }
        try checks.positive("instances", instances)
        try checks.positive("episodes", episodes)
        try checks.oneOf("browser", browser, ["native", "chromium"])
        try checks.within("screenshotQuality", screenshotQuality, 0...100)
        if student != "local" && studentPath.isEmpty {
            throw ConfigError(key: "student", problem: "must be local, local:PATH or a GGUF/safetensors path")
        }
        try exploration.validate(checks.section("exploration"))
        let export = checks.section("export")
        try export.positive("maxSequenceTokens", self.export.maxSequenceTokens)
        try export.positive("maxAnswerTokens", self.export.maxAnswerTokens)
        try export.within("validationPercent", self.export.validationPercent, 0...100)
        let training = checks.section("training")
        try training.nonNegative("steps", self.training.steps)
        try training.positive("batchSize", self.training.batchSize)
        try training.positive("sequenceLength", self.training.sequenceLength)
        try training.positive("learningRate", self.training.learningRate)
        try training.nonNegative("warmupSteps", self.training.warmupSteps)
        try training.nonNegative("loraRank", self.training.loraRank)
        try training.positive("loraAlpha", self.training.loraAlpha)
        if let problem = TrainingSettings.problem(with: self.training.actionWeights) {
            throw ConfigError(key: "training.actionWeights", problem: problem)
        }
        let evaluation = checks.section("evaluation")
        try evaluation.nonNegative("tasksPerSite", self.evaluation.tasksPerSite)
        try evaluation.nonNegative("maxDifficulty", self.evaluation.maxDifficulty)
        try evaluation.positive("maxSteps", self.evaluation.maxSteps)
        try evaluation.positive("policyMaxTokens", self.evaluation.policyMaxTokens)
        try evaluation.positive("instances", self.evaluation.instances)
        try evaluation.oneOf("decoding", self.evaluation.decoding, PolicyDecoding.allCases.map(\.rawValue))
    }

    /// The student's checkpoint path, "" for the embedded model.
    public var studentPath: String {
        if student == "local" { return "" }
        return student.hasPrefix("local:") ? String(student.dropFirst("local:".count)) : student
    }

    /// Overrides replace values; they are merged key by key only into sections (`ConfigSection`s of
    /// `template`), so a table such as `training.actionWeights` is replaced whole (`{}` clears it).
    static func merge(_ base: [String: Any], _ overrides: [String: Any], template: Any = MainJobConfig()) -> [String: Any] {
        var sections: [String: Any] = [:]
        for child in Mirror(reflecting: template).children {
            if let label = child.label, child.value is any ConfigSection { sections[label] = child.value }
        }
        var out = base
        for (key, value) in overrides {
            if let nested = value as? [String: Any], let original = base[key] as? [String: Any],
               let section = sections[key] {
                out[key] = merge(original, nested, template: section)
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

extension MainJobConfig.TrainingSettings {
    /// Settings saved before `actionWeights` existed (an experiment's `experiment.json`) were unweighted.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        steps = try c.decode(Int.self, forKey: .steps)
        batchSize = try c.decode(Int.self, forKey: .batchSize)
        sequenceLength = try c.decode(Int.self, forKey: .sequenceLength)
        learningRate = try c.decode(Float.self, forKey: .learningRate)
        warmupSteps = try c.decode(Int.self, forKey: .warmupSteps)
        loraRank = try c.decode(Int.self, forKey: .loraRank)
        loraAlpha = try c.decode(Float.self, forKey: .loraAlpha)
        actionWeights = try c.decodeIfPresent([String: Float].self, forKey: .actionWeights) ?? [:]
    }

    /// The trainer's options for these settings (LoRA when `loraRank` > 0).
    public func options(seed: UInt64) -> TrainingOptions {
        var options = TrainingOptions()
        options.steps = steps
        options.batchSize = batchSize
        options.sequenceLength = sequenceLength
        options.seed = seed
        options.optimizer.learningRate = learningRate
        options.optimizer.warmupSteps = warmupSteps
        options.optimizer.totalSteps = steps
        options.lora = loraRank > 0 ? LoRAConfig(rank: loraRank, alpha: loraAlpha) : nil
        options.actionWeights = actionWeights
        return options
    }
}
