import WebBrowser

extension BrowserSession: ScriptableBrowser {
    public func elementIDs(role: String?, name: String) -> [Int] {
        accessibilityTree.findAll(role: role, name: name).map(\.id)
    }

    public func text(locator: String) -> String? {
        let tree = accessibilityTree
        let trimmed = locator.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty {
            return PageText.of(tree.document.body ?? tree.document.root)
        }
        if trimmed.hasPrefix("role=") || trimmed.hasPrefix("name=") {
            let (role, name) = PageText.parseAccessibilityLocator(trimmed)
            guard let node = tree.find(role: role, name: name ?? "") else { return nil }
            return node.element.map(PageText.of) ?? node.name
        }
        guard let selector = SimpleSelector(trimmed) else { return nil }
        let matches = selector.select(in: tree.document.root)
        guard !matches.isEmpty else { return nil }
        return matches.map(PageText.of).joined(separator: " ")
    }
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

    /// `role=heading name=Order # 1` -> ("heading", "Order # 1").
    static func parseAccessibilityLocator(_ s: String) -> (role: String?, name: String?) {
        var role: String?
        var name: String?
        if let r = s.range(of: "role=") {
            let rest = s[r.upperBound...]
            role = String(rest.prefix { !$0.isWhitespace })
        }
        if let n = s.range(of: "name=") { name = String(s[n.upperBound...]).trimmingCharacters(in: .whitespaces) }
        return (role, name)
    }
}
