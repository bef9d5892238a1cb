import Foundation

/// Which elements a sighted user would not see, from markup and the cascaded style (`ElementStyle`):
/// `hidden` (unless the author's CSS gives it a `display`, as `[hidden]{display:none}` is only
/// the user agent's rule), `aria-hidden="true"`, `display:none`, `visibility:hidden|collapse`, non-rendered
/// elements (`head`, `script`, `style`, `template`...), `input type=hidden`, closed `<details>`
/// content and closed `<dialog>`s.
enum Visibility {
    /// Whether the element itself removes its whole subtree from rendering.
    static func hidesSubtree(_ element: HTMLElement, state: FormState) -> Bool {
        if element.tagTraits.contains(.nonRendered) { return true }
        if element.hasAttribute("hidden"), element.style.display == nil { return true }
        if element.ariaAttribute("aria-hidden")?.lowercased().trimmingCharacters(in: .whitespaces) == "true" { return true }
        if element.tag == "input", RoleMapping.inputType(element) == "hidden" { return true }
        if element.tag == "dialog", !element.hasAttribute("open") { return true }
        if element.style.displayNone { return true }
        if let parent = element.parent, parent.tag == "details", !state.isOpen(parent),
           parent.elementChildren.first(where: { $0.tag == "summary" }) !== element {
            return true
        }
        return false
    }

    /// Full check, walking ancestors: used for elements reached by id reference.
    static func isHidden(_ element: HTMLElement, state: FormState) -> Bool {
        var visibility: Bool?
        var node: HTMLElement? = element
        while let n = node {
            if hidesSubtree(n, state: state) { return true }
            if visibility == nil, let v = n.style.visibilityHidden { visibility = v }
            node = n.parent
        }
        return visibility ?? false
    }

    /// Whether names from content put spaces around the element (a block box by default).
    static func isBlock(_ element: HTMLElement) -> Bool {
        if let display = element.style.display {
            return display != "inline" && display != "contents"
        }
        return element.tagTraits.contains(.blockLevel)
    }
}
