import Foundation
import LanguageModels
import NNetnavSupport
import WebTasks

/// What identifies one attempt within an evaluation's results, so a rerun skips what is done.
/// The policy and the settings are the evaluation's (`EvaluationSettings`); this names the task
/// and its seed. A bundled-site task is keyed by its site, id and a digest of its definition, so
/// an edited task file runs the edited tasks again instead of reusing stale results.
public enum EpisodeKey {
    /// `task` in its placeholder form (`__SHOP__`), as loaded: substituted per instance, the same
    /// task would get another key on another instance.
    public static func task(_ task: TaskConfig) -> String {
        let digest = (try? JSONLines.encoder().encode(task)).map { SHA256.hexDigest($0) } ?? "undigestible"
        return "\(task.sites.first ?? "?")/\(task.taskID)#\(digest.prefix(12))"
    }

    public static func miniwob(task: String, seed: Int) -> String { "miniwob/\(task)@\(seed)" }
}
