import Foundation

/// Accessible names per AccName 1.2 (https://w3c.github.io/accname/), with the HTML-AAM host
/// language rules for labels, `alt`, `legend`, `caption`, `value`, `title` and `placeholder`.
///
/// Steps are named as in the spec: 2A hidden, 2B aria-labelledby, 2C embedded control,
/// 2D aria-label, 2E host language label, 2F name from content, 2G text, 2I tooltip.
struct AccessibleNameComputer {
    let document: HTMLDocument
    let state: FormState
    let facts: DocumentFacts
    /// Control element index → `<label>`s that label it (by `for` or by wrapping).
    var labels: [Int: [HTMLElement]] { facts.labels }

    init(document: HTMLDocument, state: FormState, facts: DocumentFacts? = nil) {
        self.document = document
        self.state = state
        self.facts = facts ?? document.factsCache.facts(of: document)
    }

    /// The control a `<label>` labels: its `for` target if labelable, else its first labelable descendant.
    static func labeledControl(of label: HTMLElement, in document: HTMLDocument) -> HTMLElement? {
        if let forID = label.attribute("for") {
            guard let target = document.element(withID: forID), isLabelable(target) else { return nil }
            return target
        }
        return label.descendants(includingSelf: false).first(where: isLabelable)
    }

    static func isLabelable(_ element: HTMLElement) -> Bool {
        switch element.tag {
        case "button", "meter", "output", "progress", "select", "textarea": return true
        case "input": return RoleMapping.inputType(element) != "hidden"
        default: return false
        }
    }

    /// Elements already used through aria-labelledby in one computation, which content
    /// recursion then skips (AccName: each node contributes once per cycle).
    /// What one name computation has walked: the nodes aria-labelledby used, and how many nodes
    /// were visited, since Chromium stops reading content once a computation has visited more
    /// than `maximumVisitedNodes` (a long code listing in a cell is named by its first part).
    private final class Consumed {
        var indices: Set<Int> = []
        var visitedNodes = 0
    }

    /// Chromium's cap on the nodes one name computation visits (Blink's text-alternative walk).
    static let maximumVisitedNodes = 100

    private struct Context {
        var root: HTMLElement
        var isRoot = true
        var inLabelledBy = false
        var referencedHidden = false
        var inContent = false
        /// Hidden in a way descendants cannot undo (display:none, hidden, aria-hidden).
        var removed = false
        /// `visibility: hidden` inherited; a descendant with `visibility: visible` shows again.
        var invisible = false
        var consumed: Consumed?
        var hidden: Bool {
            get { removed || invisible }
            set { removed = newValue; invisible = newValue }
        }
    }

    /// The accessible name of `element` given its computed `role`.
    func name(of element: HTMLElement, role: String) -> String {
        var context = Context(root: element)
        context.hidden = false  // callers only ask for rendered elements
        // One record of the nodes aria-labelledby used, for the whole computation: a node a
        // child's aria-labelledby took is skipped by the content of its ancestors too (WPT
        // comp_labelledby, two nested links sharing an image).
        context.consumed = Consumed()
        context.consumed?.visitedNodes = 1
        let name = compute(element, role: role, context).collapsingWhitespace()
        // An author's aria-label keeps its spaces (WPT comp_label: a leading or trailing no-break
        // space is part of the name); names from content and text are shown trimmed.
        if let label = element.ariaAttribute("aria-label"), !label.isBlank,
           element.ariaAttribute("aria-labelledby") == nil, element.ariaAttribute("aria-labeledby") == nil {
            return name
        }
        return name.trimmingObservedSpaces()
    }

    private func role(of element: HTMLElement) -> String { facts.role(of: element) }

    private func compute(_ element: HTMLElement, role: String, _ context: Context) -> String {
        var context = context
        // 2A: hidden nodes contribute nothing, unless reached through aria-labelledby from a hidden target.
        let hiddenAllowed = context.inLabelledBy && context.referencedHidden
        if context.removed && !hiddenAllowed { return "" }
        // An invisible box contributes nothing itself, but its descendants may be visible again.
        if context.invisible && !hiddenAllowed { return context.isRoot ? "" : contentText(element, context) }

        // 2B: aria-labelledby (not recursively).
        // `aria-labeledby` is a common misspelling that browsers accept.
        if !context.inLabelledBy, let refs = element.ariaAttribute("aria-labelledby") ?? element.ariaAttribute("aria-labeledby") {
            var parts: [String] = []
            let consumed = context.consumed ?? Consumed()
            context.consumed = consumed
            for id in refs.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }) {
                guard let target = document.element(withID: String(id)) else { continue }
                consumed.indices.insert(target.index)
                let hidden = Visibility.isHidden(target, state: state)
                var sub = Context(root: context.root)
                sub.consumed = consumed
                sub.isRoot = false
                sub.inLabelledBy = true
                sub.referencedHidden = hidden
                sub.hidden = hidden
                let part = compute(target, role: self.role(of: target), sub).collapsingWhitespace()
                if !part.isEmpty { parts.append(part) }
            }
            let joined = parts.joined(separator: " ")
            if !joined.isBlank { return joined }
        }

        // 2C: a control embedded in another element's label contributes its value.
        if !context.isRoot {
            if context.inContent && element === context.root { return "" }
            if let value = embeddedControlValue(element, role: role) { return value }
        }

        // 2D: aria-label.
        if let label = element.ariaAttribute("aria-label"), !label.isBlank {
            return label
        }

        // 2E: host language text alternatives.
        if role != "none" || context.isRoot, let native = nativeName(element, role: role, context) {
            return native
        }

        // 2F: name from content.
        let fromContent = RoleTraits(role: role).contains(.nameFromContent)
        let contributes = !context.isRoot && !RoleMapping.containerRolesWithoutContentName.contains(role)
        if fromContent || contributes || (context.isRoot && (element.tag == "label" || element.tag == "legend")) {
            let text = contentText(element, context)
            if !text.isBlank { return text }
            if context.isRoot, fromContent, RenderedSpace.between(inlineContentOf: element, state: state) { return "" }
        }

        // 2I: tooltip (SVG links also take xlink:title, SVG-AAM). Chromium 156 takes no name
        // from a plain container's title inside another element's content.
        if context.isRoot || role != "generic", let title = element.attribute("title") ?? element.attribute("xlink:title"), !title.isBlank {
            return title
        }
        if element.tag == "input" || element.tag == "textarea",
           let placeholder = element.attribute("placeholder") ?? element.ariaAttribute("aria-placeholder"),
           !placeholder.isEmpty {
            return placeholder
        }
        return ""
    }

    private func embeddedControlValue(_ element: HTMLElement, role: String) -> String? {
        switch role {
        case "textbox", "searchbox":
            if element.tag == "input" || element.tag == "textarea" { return state.value(of: element) }
            return element.textContent
        case "combobox", "listbox":
            if element.tag == "select" {
                return state.selectedOptions(of: element).map(FormState.optionLabel).joined(separator: " ")
            }
            if element.tag == "input" { return state.value(of: element) }
            // An ARIA listbox/combobox: the selected option's text.
            let selected = element.descendants(includingSelf: false).first {
                $0.ariaAttribute("aria-selected") == "true" && RoleMapping.explicitRole($0) == "option"
            }
            return selected?.textContent ?? ""
        case "slider", "spinbutton", "progressbar", "scrollbar", "meter":
            if let text = element.ariaAttribute("aria-valuetext") { return text }
            if let now = element.ariaAttribute("aria-valuenow") { return now }
            if element.tag == "input" { return state.value(of: element) }
            return element.attribute("value") ?? ""
        default:
            return nil
        }
    }

    /// HTML-AAM accessible name computation for elements with a native text alternative.
    private func nativeName(_ element: HTMLElement, role: String, _ context: Context) -> String? {
        func nonEmpty(_ s: String?) -> String? {
            guard let s, !s.isBlank else { return nil }
            return s
        }
        func labelText() -> String? {
            // Only the element being named uses its own labels; inside a label's content a
            // nested control's labels would repeat the text being computed.
            guard context.isRoot, let owners = labels[element.index] else { return nil }
            let parts = owners.compactMap { label -> String? in
                var sub = context
                sub.isRoot = false
                sub.inContent = true
                // A hidden label still names its control, hidden content and all, as a hidden
                // element referenced by aria-labelledby does (Chromium).
                if Visibility.isHidden(label, state: state) {
                    sub.inLabelledBy = true
                    sub.referencedHidden = true
                }
                return nonEmpty(contentText(label, sub).collapsingWhitespace())
            }
            return nonEmpty(parts.joined(separator: " "))
        }
        func childContent(_ tag: String) -> String? {
            guard let child = element.elementChildren.first(where: { $0.tag == tag }) else { return nil }
            var sub = context
            sub.isRoot = false
            sub.inContent = true
            // An SVG <title> is never rendered but is exactly the text alternative.
            sub.hidden = context.hidden || (tag != "title" && Visibility.hidesSubtree(child, state: state))
            return nonEmpty(compute(child, role: self.role(of: child), sub))
        }

        switch element.tag {
        case "input":
            let type = RoleMapping.inputType(element)
            switch type {
            case "button", "submit", "reset":
                if let label = labelText() { return label }
                if let value = element.attribute("value"), (type == "button" || !value.isEmpty) { return value }
                if type == "submit" { return "Submit" }
                if type == "reset" { return "Reset" }
                return nonEmpty(element.attribute("title")) ?? ""
            case "image":
                if let label = labelText() { return label }
                return nonEmpty(element.attribute("alt")) ?? nonEmpty(element.attribute("value"))
                    ?? nonEmpty(element.attribute("title")) ?? "Submit"
            default:
                return labelText()
            }
        case "select", "textarea", "meter", "output", "progress":
            return labelText()
        case "button":
            return labelText()
        case "img":
            if let alt = element.attribute("alt") {
                if let text = nonEmpty(alt) { return text }
                return context.isRoot ? nonEmpty(element.attribute("title")) ?? "" : ""
            }
            return nil
        case "fieldset":
            return childContent("legend")
        case "figure":
            // HTML-AAM names a figure from its figcaption; Chromium 156 no longer does (the
            // caption stays a Figcaption node with its text), nor does html-aam's tentative
            // figure-name-no-figcaption. The older accname-computation-by-element/figure still expects it.
            return nil
        case "table":
            // Chromium names a table from its caption, else from its `summary` attribute.
            return childContent("caption") ?? nonEmpty(element.attribute("summary"))
        case "optgroup":
            return nonEmpty(element.attribute("label"))
        case "option":
            if let label = nonEmpty(element.attribute("label")) { return label }
            return nil
        case "iframe":
            return nonEmpty(element.attribute("title"))
        case "use":
            // SVG-AAM: the `<title>` child is the host language label; a `<use>` shows a copy of
            // the symbol it references, whose own title names that copy (`SVGUse.symbolTitle`).
            return childContent("title") ?? SVGUse.symbolTitle(of: element, in: document)
        case "svg", "g", "image", "circle", "ellipse", "line", "path", "polygon", "polyline", "rect", "text":
            // SVG-AAM: the `<title>` child is the host language label.
            return childContent("title")
        case "a" where element.ancestor(where: { $0.tag == "svg" }) != nil:
            return childContent("title")
        case "area":
            // HTML-AAM: an image map area is named by its alt text.
            return nonEmpty(element.attribute("alt"))
        default:
            return nil
        }
    }

    static func hasAuthorLabel(_ element: HTMLElement) -> Bool {
        guard element.hasARIAAttributes else { return false }
        return element.ariaAttribute("aria-label")?.isBlank == false || element.ariaAttribute("aria-labelledby") != nil
            || element.ariaAttribute("aria-labeledby") != nil
    }

    /// 2F: the text of the children, with spaces around block-level boxes.
    private func contentText(_ element: HTMLElement, _ context: Context) -> String {
        var out = ""
        let closedDetails = element.tag == "details" && !state.isOpen(element)
        // The text node just visited (nil after an element) and what came before it, to see
        // text nodes that a comment split (the DOM here keeps no comments).
        var previousText: String?
        var previousAppended = false
        var textAfterInlineElement = false
        var lastWasInlineElement = false
        for child in element.children {
            // Text nodes and elements with a role of their own count; plain containers are
            // looked through, as Chromium leaves them out of its tree.
            if let walked = context.consumed {
                if walked.visitedNodes > Self.maximumVisitedNodes { break }
                switch child {
                case .text: walked.visitedNodes += 1
                case .element(let e):
                    let childRole = role(of: e)
                    if childRole != "generic" && childRole != "none" { walked.visitedNodes += 1 }
                }
            }
            switch child {
            case .text(let t):
                var text = t.text
                defer {
                    textAfterInlineElement = previousText == nil && lastWasInlineElement
                    previousText = t.text
                    lastWasInlineElement = false
                }
                if let previous = previousText {
                    if previous.isBlank, textAfterInlineElement, text.first?.isWhitespace == true {
                        // An inline element, white space alone, a comment, then text starting
                        // with white space: Chromium's name keeps neither space
                        // (`<span>1/50</span> <!-- c --> United` is "1/50United").
                        if previousAppended { out.removeLast(previous.count) }
                        text = String(text.drop(while: \.isWhitespace))
                    } else {
                        // Two text nodes side by side were split by a comment: keep the words apart.
                        out += " "
                    }
                }
                previousAppended = false
                if context.invisible && !(context.inLabelledBy && context.referencedHidden) { continue }
                if !closedDetails || (context.inLabelledBy && context.referencedHidden) {
                    out += facts.textTransform(inside: element).apply(to: text, after: out.last)
                    previousAppended = true
                }
            case .element(let e):
                previousText = nil
                lastWasInlineElement = false
                if e.tag == "br" { out += " "; continue }
                if context.consumed?.indices.contains(e.index) == true { continue }
                var sub = context
                sub.isRoot = false
                sub.inContent = true
                sub.removed = context.removed || Visibility.hidesSubtree(e, state: state)
                sub.invisible = e.style.visibilityHidden ?? context.invisible
                let part = compute(e, role: role(of: e), sub)
                // Chromium also keeps apart from the text beside them an inline `<svg>` icon's
                // name and a name an author gave (aria-label, aria-labelledby).
                if Visibility.isBlock(e) || e.tag == "svg" || Self.hasAuthorLabel(e) {
                    out += " " + part + " "
                } else {
                    out += part
                    lastWasInlineElement = true
                }
            }
        }
        return out
    }
}
