/// How a scripted solution reaches the pages it needs: as its author wrote it (`goto` a URL), or
/// the way a person on the page would (`ClickNavigation`: links followed, the search box typed in).
public enum SolutionNavigation: String, Codable, Sendable, CaseIterable {
    case asWritten = "as-written"
    case clicks
}
