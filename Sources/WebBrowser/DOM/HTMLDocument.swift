import CLibXML2
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

    init(url: String, root: HTMLElement, nodeCount: Int, source: String) {
        self.url = url
        self.root = root
        self.nodeCount = nodeCount
        self.source = source
        var ids: [String: HTMLElement] = [:]
        var title: HTMLElement?
        for element in root.descendants() {
            // The first element with an id wins, as getElementById does.
            if let id = element.attribute("id"), ids[id] == nil { ids[id] = element }
            if title == nil, element.tag == "title" { title = element }
        }
        self.elementsByID = ids
        self.title = title?.textContent.collapsingWhitespace() ?? ""
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
        let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
                            | HTML_PARSE_NONET.rawValue | HTML_PARSE_COMPACT.rawValue)
        let doc: htmlDocPtr? = data.withUnsafeBytes { raw in
            guard let base = raw.baseAddress, raw.count > 0 else { return nil }
            return htmlReadMemory(base.assumingMemoryBound(to: CChar.self), Int32(clamping: raw.count), url, charset, options)
        }
        var builder = Builder()
        defer { if let doc { xmlFreeDoc(doc) } }
        let rootNode = doc.flatMap { xmlDocGetRootElement($0) }
        let root = builder.buildRoot(rootNode)
        Builder.moveBodyContentOutOfHead(root)
        return HTMLDocument(url: url, root: root, nodeCount: builder.nextIndex, source: source)
    }

    /// Parses an HTML string (tests, files, `observe`).
    public static func parse(html: String, url: String = "about:blank") -> HTMLDocument {
        parse(Data(html.utf8), url: url, encoding: "UTF-8")
    }

    /// Copies the libxml tree into Swift objects, numbering nodes in document order.
    private struct Builder {
        var nextIndex = 0

        mutating func buildRoot(_ node: xmlNodePtr?) -> HTMLElement {
            guard let node, Self.name(node) == "html" else {
                // No <html> (empty input or a fragment libxml could not place): wrap what there is.
                let html = HTMLElement(tag: "html", attributes: [], index: take())
                if let node {
                    let child = build(node)
                    child.parent = html
                    html.children = [.element(child)]
                }
                return html
            }
            return build(node)
        }

        mutating func take() -> Int {
            defer { nextIndex += 1 }
            return nextIndex
        }

        mutating func build(_ node: xmlNodePtr) -> HTMLElement {
            let element = HTMLElement(tag: Self.name(node), attributes: Self.attributes(node), index: take())
            var children: [HTMLNode] = []
            var afterComment = false
            var child = node.pointee.children
            while let c = child {
                switch c.pointee.type {
                case XML_ELEMENT_NODE:
                    let e = build(c)
                    e.parent = element
                    children.append(.element(e))
                case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                    if let content = c.pointee.content {
                        let text = String(cString: content)
                        // Adjacent text nodes (libxml splits around entities) merge into one.
                        if !afterComment, case .text(let previous)? = children.last {
                            children[children.count - 1] = .text(HTMLText(index: previous.index, text: previous.text + text))
                        } else {
                            children.append(.text(HTMLText(index: take(), text: text)))
                        }
                    }
                case XML_COMMENT_NODE:
                    afterComment = true
                    child = c.pointee.next
                    continue
                default:
                    break  // processing instructions, DTD nodes
                }
                afterComment = false
                child = c.pointee.next
            }
            element.children = children
            return element
        }

        static let headTags: Set<String> = ["title", "meta", "link", "style", "script", "base", "noscript", "template"]

        /// libxml2 keeps content that follows `<title>` without a `<body>` tag inside `<head>`,
        /// where browsers would have opened the body: move it (and what follows it) to the body.
        static func moveBodyContentOutOfHead(_ root: HTMLElement) {
            guard let head = root.elementChildren.first(where: { $0.tag == "head" }) else { return }
            guard let split = head.children.firstIndex(where: { child in
                if case .element(let e) = child { return !headTags.contains(e.tag) }
                return false
            }) else { return }
            let moved = Array(head.children[split...])
            head.children.removeSubrange(split...)
            let body: HTMLElement
            if let existing = root.elementChildren.first(where: { $0.tag == "body" }) {
                body = existing
            } else {
                body = HTMLElement(tag: "body", attributes: [], index: head.index)
                body.parent = root
                root.children.append(.element(body))
            }
            for child in moved { if case .element(let e) = child { e.parent = body } }
            body.children = moved + body.children
        }

        static func name(_ node: xmlNodePtr) -> String {
            guard let n = node.pointee.name else { return "" }
            return String(cString: n).lowercased()
        }

        static func attributes(_ node: xmlNodePtr) -> [HTMLAttribute] {
            var out: [HTMLAttribute] = []
            var attr = node.pointee.properties
            while let a = attr {
                let name = a.pointee.name.map { String(cString: $0).lowercased() } ?? ""
                var value = ""
                var valueNode = a.pointee.children
                while let v = valueNode {
                    if let content = v.pointee.content { value += String(cString: content) }
                    valueNode = v.pointee.next
                }
                out.append(HTMLAttribute(name: name, value: value))
                attr = a.pointee.next
            }
            return out
        }
    }
}

extension String {
    /// Runs of whitespace become one space; leading and trailing whitespace is removed.
    func collapsingWhitespace() -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        var pendingSpace = false
        for scalar in unicodeScalars {
            if scalar == " " || scalar == "\n" || scalar == "\t" || scalar == "\r" || scalar == "\u{0C}" {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.unicodeScalars.append(" "); pendingSpace = false }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
