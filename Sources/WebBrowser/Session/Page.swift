import Foundation

/// One loaded document in a tab, with everything the user did to it since it loaded.
struct Page: Sendable {
    var url: String
    var status: Int
    let document: HTMLDocument
    var state = FormState()
    /// Index of the element with keyboard focus.
    var focused: Int?
    /// Which viewport window is shown.
    var scroll = 0
    private(set) var tree: AccessibilityTree
    private(set) var rendered: RenderedTree
    /// The viewport's windows for the reserve they were cut with (the tab header can change it).
    var windowCache: (reserved: Int, windows: [Range<Int>])?

    /// What the page's iframes show (the session's allowlist decides).
    let subframes: SubframePlaceholders

    init(url: String, status: Int, document: HTMLDocument, subframes: SubframePlaceholders = .none) {
        self.url = url
        self.status = status
        self.document = document
        self.subframes = subframes
        self.tree = AccessibilityTree.build(from: document, subframes: subframes)
        self.rendered = ObservationRenderer.render(tree)
    }

    static func blank() -> Page {
        Page(url: "about:blank", status: 0, document: HTMLDocument.parse(html: "", url: "about:blank"))
    }

    var title: String { document.title }

    /// Recomputes the tree after a change to form state or focus (ids do not change).
    mutating func refresh() {
        tree = AccessibilityTree.build(from: document, state: state, focusedElement: focused, subframes: subframes)
        rendered = ObservationRenderer.render(tree)
        windowCache = nil
    }
}

/// A browser tab: its pages, back and forward.
struct Tab: Sendable {
    var history: [Page]
    var position: Int

    init(page: Page) {
        history = [page]
        position = 0
    }

    var page: Page {
        get { history[position] }
        set { history[position] = newValue }
    }

    mutating func push(_ page: Page) {
        history.removeSubrange((position + 1)...)
        history.append(page)
        position = history.count - 1
    }
}
