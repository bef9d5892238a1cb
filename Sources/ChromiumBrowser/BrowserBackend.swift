/// Which browser runs episodes: the native one (HTTP + libxml2, no JavaScript, fast) or headless
/// Chromium (JavaScript sites, MiniWoB++). Both give the same observation text and action grammar.
public enum BrowserBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case native
    case chromium

    public var description: String { rawValue }
}
