import Foundation

/// What the tree shows inside an `<iframe>`, which the native browser never loads. Chromium puts
/// each frame's document under its `Iframe` node; two of those documents are known without
/// loading anything: a frame with no source (or `about:blank`) holds an empty, untitled document,
/// and a frame whose URL the session's allowlist refuses holds Chromium's error page, titled with
/// the refused host and saying "This page has been blocked by Chromium" (the Chromium backend
/// refuses such requests the same way). A frame the allowlist admits would show a real page the
/// native browser has not fetched: it stays empty.
public struct SubframePlaceholders: Sendable {
    /// Why a frame URL is refused, nil when it may load; nil outside a browsing session.
    let refusal: (@Sendable (String) -> String?)?

    public init(refusal: @escaping @Sendable (String) -> String?) { self.refusal = refusal }
    private init() { refusal = nil }

    /// No frame documents at all (a document read outside a browsing session).
    public static let none = SubframePlaceholders()

    /// The text of Chromium's page for a request the browser refused (ERR_BLOCKED_BY_CLIENT).
    static let blockedPageText = "This page has been blocked by Chromium"

    /// The frame's document node, or nil when the frame's content is unknown. `ids` gives the
    /// root and its text a number each.
    func document(for iframe: HTMLElement, resolve: (String) -> String?, ids: (root: Int, text: Int)) -> AccessibilityNode? {
        guard let refusal, !iframe.hasAttribute("srcdoc") else { return nil }
        let source = iframe.attribute("src")?.trimmingASCIIWhitespace() ?? ""
        if source.isEmpty || source.lowercased() == "about:blank" {
            return AccessibilityNode(id: ids.root, role: "RootWebArea", name: "", properties: [], children: [], element: nil)
        }
        guard let url = resolve(source), url.lowercased().hasPrefix("http"), refusal(url) != nil,
              let host = URL(string: url)?.host, !host.isEmpty else { return nil }
        let text = AccessibilityNode(id: ids.text, role: "StaticText", name: Self.blockedPageText, properties: [],
                                     children: [], element: nil)
        return AccessibilityNode(id: ids.root, role: "RootWebArea", name: host, properties: [], children: [text], element: nil)
    }
}
