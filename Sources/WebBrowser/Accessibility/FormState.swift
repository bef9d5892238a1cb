import Foundation

/// What the user changed on a page without reloading it: typed text, ticked boxes, chosen
/// options, opened disclosures. Keyed by element index so the DOM itself stays immutable.
/// Defaults come from the markup (`value`, `checked`, `selected`, `open`).
public struct FormState: Sendable, Hashable {
    var values: [Int: String] = [:]
    var checked: [Int: Bool] = [:]
    var selections: [Int: [Int]] = [:]
    var open: [Int: Bool] = [:]

    public init() {}

    /// The current text of a text field (`input` or `textarea`).
    public func value(of element: HTMLElement) -> String {
        if let v = values[element.index] { return v }
        if element.tag == "textarea" {
            // The parser keeps a leading newline of textarea content; browsers drop it.
            let text = element.textContent
            return text.hasPrefix("\n") ? String(text.dropFirst()) : text
        }
        return element.attribute("value") ?? ""
    }

    public mutating func setValue(_ value: String, of element: HTMLElement) { values[element.index] = value }

    public func isChecked(_ element: HTMLElement) -> Bool {
        checked[element.index] ?? element.hasAttribute("checked")
    }

    public mutating func setChecked(_ on: Bool, _ element: HTMLElement) { checked[element.index] = on }

    /// Options of a `select` (or `datalist`), including those inside `optgroup`s, in order.
    public static func options(of select: HTMLElement) -> [HTMLElement] {
        select.descendants(includingSelf: false).filter { $0.tag == "option" }
    }

    /// The selected options of a `select`: explicit choice, else `selected` attributes, else (for a
    /// single-choice drop-down) the first enabled option, as browsers show it.
    public func selectedOptions(of select: HTMLElement) -> [HTMLElement] {
        let options = Self.options(of: select)
        if let chosen = selections[select.index] {
            return options.filter { chosen.contains($0.index) }
        }
        let marked = options.filter { $0.hasAttribute("selected") }
        let multiple = select.hasAttribute("multiple")
        if multiple { return marked }
        if let last = marked.last { return [last] }
        let size = Int(select.attribute("size") ?? "") ?? 0
        if size > 1 { return [] }
        return options.first { !$0.hasAttribute("disabled") }.map { [$0] } ?? []
    }

    public mutating func select(_ options: [HTMLElement], in select: HTMLElement) {
        selections[select.index] = options.map(\.index)
    }

    public func isOpen(_ details: HTMLElement) -> Bool { open[details.index] ?? details.hasAttribute("open") }

    public mutating func setOpen(_ isOpen: Bool, _ details: HTMLElement) { open[details.index] = isOpen }

    /// The value a form submits for an option: its `value` attribute, else its text.
    public static func optionValue(_ option: HTMLElement) -> String {
        option.attribute("value") ?? option.textContent.collapsingWhitespace()
    }

    /// The text a drop-down shows for an option: its `label` attribute, else its text.
    public static func optionLabel(_ option: HTMLElement) -> String {
        if let label = option.attribute("label"), !label.isEmpty { return label }
        return option.textContent.collapsingWhitespace()
    }
}
