import Foundation

/// A parsed HTML page: an immutable tree of `HTMLElement`s plus lookup tables.
///
/// Parsing goes through libxml2's HTML parser in recovery mode, which accepts any byte soup
/// (unclosed tags, stray end tags, bad nesting) the way browsers do; the libxml tree is copied
/// into Swift objects and freed at once.
public final class HTMLDocument: @unchecked Sendable {
    /// The URL the document was loaded from.
    public let url: String
    /// The `<html>` element (synthesised when the input had none).
    public let root: HTMLElement
    /// Number of nodes (elements and text) numbered in document order.
    public let nodeCount: Int
    /// The bytes the document was parsed from, as text (what `currentHTML()` returns).
    public let source: String
    private let elementsByID: [String: HTMLElement]
    /// Elements the parser attached at `HTMLTreeBuilder.maximumDepth` because the markup nested them
    /// deeper (Chromium does the same); 0 for any ordinary page. Observations say so when not 0.
    public let flattenedNodes: Int
    /// Roles and labels, derived on first use by the accessibility tree.
    let factsCache = DocumentFactsCache()

    init(url: String, root: HTMLElement, nodeCount: Int, source: String, elementsByID: [String: HTMLElement],
         title: HTMLElement?, flattenedNodes: Int = 0) {
        self.flattenedNodes = flattenedNodes
        self.url = url
        self.root = root
        self.nodeCount = nodeCount
        self.source = source
        self.elementsByID = elementsByID
        self.title = title?.textContent.collapsingWhitespace() ?? ""
    }

    deinit {
        // Parents are strong references (see `HTMLElement.parent`): cut them so the tree frees.
        for element in root.descendants() { element.parent = nil }
    }

    public func element(withID id: String) -> HTMLElement? { elementsByID[id] }

    public var head: HTMLElement? { root.elementChildren.first { $0.tag == "head" } }
    public var body: HTMLElement? { root.elementChildren.first { $0.tag == "body" } }

    /// What an observation of this document says about the depth cap, or nil when it did not apply.
    public var depthNote: String? {
        guard flattenedNodes > 0 else { return nil }
        return "Note: this page nests elements more than \(HTMLTreeBuilder.maximumDepth) levels deep; "
            + "\(flattenedNodes) deeper elements are shown at level \(HTMLTreeBuilder.maximumDepth), as Chromium does."
    }

    /// The text of the first `<title>`, whitespace-collapsed.
    public let title: String

    /// The URL relative links resolve against: `<base href>` if present, else the document URL.
    public var baseURL: String {
        if let base = head?.elementChildren.first(where: { $0.tag == "base" && $0.hasAttribute("href") }),
           let href = base.attribute("href"), let resolved = URLResolution.resolve(href, against: url) {
            return resolved
        }
        return url
    }

    /// Parses HTML bytes. `encoding` is the charset from the HTTP Content-Type, if any. The
    /// encoding is decided as browsers decide it (`CharsetDetection`) and the bytes handed to the
    /// parser as UTF-8, so a mislabelled page or a bad byte never empties the page. With
    /// `styleSheets`, the page's `<style>` sheets are cascaded into each element's `style`.
    public static func parse(_ data: Data, url: String, encoding: String? = nil, styleSheets: Bool = true) -> HTMLDocument {
        var source = CharsetDetection.text(of: data, httpCharset: encoding)
        let parsed = source.withUTF8 { HTMLTreeBuilder.parse(UnsafeRawBufferPointer($0), url: url, charset: "UTF-8") }
        var fixup = HeadContentFixup(nextIndex: parsed.nodeCount)
        fixup.moveBodyContentOutOfHead(parsed.root)
        if styleSheets { StyleCascade.apply(to: parsed.root) }
        DataTableHeuristic.classify(parsed.root)
        return HTMLDocument(url: url, root: parsed.root, nodeCount: fixup.nextIndex, source: source,
                            elementsByID: parsed.elementsByID, title: parsed.firstTitle,
                            flattenedNodes: parsed.flattenedNodes)
    }

    /// Parses an HTML string (tests, files, `observe`).
    public static func parse(html: String, url: String = "about:blank") -> HTMLDocument {
        parse(Data(html.utf8), url: url, encoding: "UTF-8")
    }

    /// Body content that libxml2 left in `<head>` (see `moveBodyContentOutOfHead`).
    private struct HeadContentFixup {
        var nextIndex: Int

        mutating func take() -> Int {
            defer { nextIndex += 1 }
            return nextIndex
        }

        /// libxml2 keeps content that follows `<title>` without a `<body>` tag inside `<head>`,
        /// where browsers would have opened the body: move it (and what follows it) to the body.
        mutating func moveBodyContentOutOfHead(_ root: HTMLElement) {
            guard let head = root.elementChildren.first(where: { $0.tag == "head" }) else { return }
            guard let split = head.children.firstIndex(where: { child in
                if case .element(let e) = child { return !e.tagTraits.contains(.headContent) }
                return false
            }) else { return }
            let moved = Array(head.children[split...])
            head.children.removeSubrange(split...)
            let body: HTMLElement
            if let existing = root.elementChildren.first(where: { $0.tag == "body" }) {
                body = existing
            } else {
                body = HTMLElement(tag: "body", attributes: [], index: take())
                body.parent = root
                root.children.append(.element(body))
            }
            for child in moved { if case .element(let e) = child { e.parent = body } }
            body.children = moved + body.children
        }
    }
}
