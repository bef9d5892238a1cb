import WebBrowser

extension BrowserSession: ScriptableBrowser {
    public func elementIDs(role: String?, name: String) -> [Int] {
        accessibilityTree.findAll(role: role, name: name).map(\.id)
    }

    public func text(_ locator: TextLocator) throws -> String? {
        let tree = accessibilityTree
        switch locator {
        case .javaScript(let expression):
            throw ScriptableBrowserError.javaScriptUnsupported(expression)
        case .page:
            return PageText.of(tree.document.body ?? tree.document.root)
        case .accessibilityNode(let role, let name):
            guard let node = tree.find(role: role, name: name) else { return nil }
            return node.element.map(PageText.of) ?? node.name
        case .selector(let css):
            // The native browser has no CSS engine: selectors outside `SimpleSelector`'s subset match nothing.
            guard let selector = SimpleSelector(css) else { return nil }
            let matches = selector.select(in: tree.document.root)
            guard !matches.isEmpty else { return nil }
            return matches.map(PageText.of).joined(separator: " ")
        }
    }

    /// A session holds no process or browser context: nothing to free.
    public func close() async {}
}

/// The human-visible text of an element: scripts, styles and hidden inputs skipped, a space
/// between elements so table cells do not run together.
enum PageText {
    static func of(_ element: HTMLElement) -> String {
        var out = ""
        append(element, to: &out)
        return out.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    private static let skipped: Set<String> = ["script", "style", "template", "head", "noscript"]

    private static func append(_ element: HTMLElement, to out: inout String) {
        if skipped.contains(element.tag) { return }
        if element.tag == "input" || element.tag == "textarea" {
            if element.attribute("type") != "hidden", let v = element.attribute("value") { out += " \(v) " }
        }
        for child in element.children {
            switch child {
            case .text(let t): out += t.text
            case .element(let e):
                out += " "
                append(e, to: &out)
                out += " "
            }
        }
    }
}
