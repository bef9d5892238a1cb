import WebBrowser

extension BrowserSession: ScriptableBrowser {
    public func elementIDs(role: String?, name: String) -> [Int] {
        accessibilityTree.findAll(role: role, name: name).map(\.id)
    }

    /// Every exposed node; a link's target is resolved as the accessibility tree resolves it.
    public func elements() -> [PageElement] {
        accessibilityTree.nodes.map { node in
            PageElement(id: node.id, role: node.role, name: node.name,
                        url: node.role == "link" ? node.properties.first(where: { $0.name == "url" })?.value : nil)
        }
    }

    /// Reads text as the Chromium backend does (`RenderedText`): a field's value, else `innerText`.
    public func text(_ locator: TextLocator) throws -> String? {
        let tree = accessibilityTree
        let state = formState
        switch locator {
        case .javaScript(let expression):
            throw ScriptableBrowserError.javaScriptUnsupported(expression)
        case .page:
            return RenderedText.shown(tree.document.body ?? tree.document.root, state: state)
        case .accessibilityNode(let role, let name):
            guard let node = tree.find(role: role, name: name) else { return nil }
            return node.element.map { RenderedText.shown($0, state: state) } ?? node.name
        case .selector(let css):
            // An invalid selector (or one `CSSSelectorList` does not parse) matches nothing.
            guard let selector = CSSSelectorList(css) else { return nil }
            let matches = selector.select(in: tree.document.root)
            guard !matches.isEmpty else { return nil }
            return matches.map { RenderedText.shown($0, state: state) }.filter { !$0.isEmpty }.joined(separator: " ")
        }
    }

    /// A session holds no process or browser context: nothing to free.
    public func close() async {}
}
