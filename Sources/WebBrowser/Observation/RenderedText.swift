import Foundation

/// The text a person sees of an element, as the Chromium backend reads it (`ChromiumSession.shownText`):
/// a text field's current value, else the element's `innerText`, whitespace-collapsed. Chromium is
/// the reference, so the rules below are its, checked against it in
/// `Tests/EnvironmentsTests/RenderedTextParityTests.swift`; markup and the cascaded `display` and
/// `visibility` (`ElementStyle`: inline style and `<style>` sheets) are known here, layout is not.
public enum RenderedText {
    /// A field's value (`input` and `textarea`; none for hidden inputs, checkboxes and radios),
    /// else `innerText`.
    public static func shown(_ element: HTMLElement, state: FormState) -> String {
        switch element.tag {
        case "textarea":
            return collapsed(state.value(of: element))
        case "input":
            let type = RoleMapping.inputType(element)
            return ["hidden", "checkbox", "radio"].contains(type) ? "" : collapsed(state.value(of: element))
        default:
            return innerText(element, state: state)
        }
    }

    /// `innerText`, whitespace-collapsed. An element that is not rendered reads as its
    /// `textContent`, as in browsers.
    public static func innerText(_ element: HTMLElement, state: FormState) -> String {
        if !isRendered(element, state: state) { return collapsed(element.textContent) }
        var out = ""
        var visible = true
        var node: HTMLElement? = element
        while let n = node {  // visibility is inherited: the nearest declaration decides
            if let hidden = n.style.visibilityHidden { visible = !hidden; break }
            node = n.parent
        }
        append(element, visible: visible, state: state, to: &out)
        return collapsed(out)
    }

    static func collapsed(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Elements whose content a browser does not lay out as text: replaced elements (a field's
    /// value is not part of its parent's `innerText`), media and embedded content whose children
    /// are only fallback, and `noscript` (scripting is on in Chromium).
    static let contentNotShown: Set<String> = [
        "input", "textarea", "img", "iframe", "frame", "audio", "video", "canvas", "object", "embed",
        "meter", "progress", "noscript",
    ]

    /// Whether `element` (not its ancestors) produces no box: `hidden`, `display:none`, tags that are
    /// never rendered, closed dialogs, and the content of a closed `<details>` beyond its summary.
    /// Unlike `Visibility.hidesSubtree`, `aria-hidden` hides nothing here: it is not rendering.
    static func producesNoBox(_ element: HTMLElement, state: FormState) -> Bool {
        if element.tagTraits.contains(.nonRendered) { return true }
        if (element.hasAttribute("hidden") && element.style.display == nil) || element.style.displayNone { return true }
        if element.tag == "dialog", !element.hasAttribute("open") { return true }
        if let parent = element.parent, parent.tag == "details", !state.isOpen(parent),
           parent.elementChildren.first(where: { $0.tag == "summary" }) !== element {
            return true
        }
        return false
    }

    static func isRendered(_ element: HTMLElement, state: FormState) -> Bool {
        var node: HTMLElement? = element
        while let n = node {
            if producesNoBox(n, state: state) { return false }
            node = n.parent
        }
        return true
    }

    /// Whether the element is a block box (a line break around it in `innerText`, which collapses
    /// to a space): its inline `display` when it has one, else its tag's default. Inline-level
    /// boxes (`inline-block`, `inline-flex`...) run into their neighbours like text.
    static func isBlock(_ element: HTMLElement) -> Bool {
        if let display = element.style.display {
            return !(display.hasPrefix("inline") || display == "contents" || display == "ruby")
        }
        return element.tagTraits.contains(.blockLevel)
    }

    private static func append(_ element: HTMLElement, visible: Bool, state: FormState, to out: inout String) {
        if contentNotShown.contains(element.tag) { return }
        // A closed details lays out its summary only, loose text included in what it hides.
        let closedDetails = element.tag == "details" && !state.isOpen(element)
        for child in element.children {
            switch child {
            case .text(let text):
                if visible, !closedDetails { out += text.text }
            case .element(let child):
                if producesNoBox(child, state: state) { continue }
                let childVisible = child.style.visibilityHidden.map { !$0 } ?? visible
                // A block, a table cell or a line break separates text; an inline element does not.
                let separated = isBlock(child) || child.tag == "br"
                if separated { out += "\n" }
                append(child, visible: childVisible, state: state, to: &out)
                if separated { out += "\n" }
            }
        }
    }
}
