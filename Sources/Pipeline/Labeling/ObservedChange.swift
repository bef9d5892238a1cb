import Foundation

/// A step's state change read from the two observations instead of written by a model: the action,
/// then where it led ("… opened 'Drelarea' (http://…/wiki/Drelarea)"), stayed, or failed.
///
/// A 135M teacher cannot describe a page change: its summaries in the default run were chat noise
/// ("Your editing reduced the text by 3.1%…"), and the labeler and judge then read nothing but
/// noise. The observed change is exact, costs no model call, and is what `GroundedInstructions`
/// are judged against.
public enum ObservedChange {
    /// Stored as the step's raw summarizer answer, so the store and viewer show that no model wrote it.
    public static let rawMarker = "(observed from the two pages; no model call)"

    public static func describe(action: String, beforeURL: String, beforeText: String,
                                afterURL: String, afterText: String, error: String?) -> String {
        if let error, !error.isEmpty { return "\(action): it failed (\(error)); the page stayed the same." }
        let before = PageFacts.title(of: beforeText)
        let after = PageFacts.title(of: afterText)
        if afterURL != beforeURL {
            return "\(action): this opened the page '\(after)' (\(afterURL))."
        }
        if afterText == beforeText { return "\(action): nothing on the page '\(after)' changed." }
        if action.hasPrefix("scroll") { return "\(action): more of the page '\(after)' came into view." }
        return before == after ? "\(action): the page '\(after)' changed." : "\(action): the page changed to '\(after)'."
    }
}
