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
    /// Roles and labels, derived on first use by the accessibility tree.
    let factsCache = DocumentFactsCache()

    init(url: String, root: HTMLElement, nodeCount: Int, source: String, elementsByID: [String: HTMLElement],
         title: HTMLElement?) {
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

    /// Parses HTML bytes. `encoding` is the charset from the HTTP Content-Type, if any; without it
    /// UTF-8 is assumed unless the page declares its own charset in a `<meta>`.
    public static func parse(_ data: Data, url: String, encoding: String? = nil) -> HTMLDocument {
        let source = String(decoding: data, as: UTF8.self)
        let declaresCharset = data.prefix(2048).range(of: Data("charset".utf8)) != nil
        let charset = encoding ?? (declaresCharset ? nil : "UTF-8")
        let parsed = data.withUnsafeBytes { HTMLTreeBuilder.parse($0, url: url, charset: charset) }
        var fixup = HeadContentFixup(nextIndex: parsed.nodeCount)
        fixup.moveBodyContentOutOfHead(parsed.root)
        return HTMLDocument(url: url, root: parsed.root, nodeCount: fixup.nextIndex, source: source,
                            elementsByID: parsed.elementsByID, title: parsed.firstTitle)
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
