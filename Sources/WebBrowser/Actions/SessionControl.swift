import Foundation

/// Controls that end the signed-in session ("Sign Out", "Log out", a `/logout` link). One rule for the
/// explorer, which never offers them (an episode that signs out spends the rest of its actions on the
/// sign-in page: 11 of 61 checkpoints of a 40-episode crawl were the admin's login form), and for the
/// click paths that replace a solution's `goto` (`ClickNavigation`), which must keep the session.
public enum SessionControl {
    static let phrases = ["logout", "log out", "log-out", "sign out", "signout", "sign-out", "sign off"]

    /// Whether an element named `name` (linking to `url`, when known) signs the user out.
    public static func endsSession(name: String, url: String = "") -> Bool {
        let text = (name + " " + url).lowercased()
        return phrases.contains { text.contains($0) }
    }
}
