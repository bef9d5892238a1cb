import Foundation
import HTTPTransport

/// What the element-level actions do to a page, without JavaScript: links navigate, submit
/// buttons and Enter submit forms, checkboxes, radios, options and disclosures change state.
extension BrowserSession {
    /// What a click resolved to, decided under the lock; navigation then happens outside it.
    enum Effect {
        case observation(Observation)
        case request(HTTPRequest, newTab: Bool)
    }

    func run(_ effect: Effect) async -> Observation {
        switch effect {
        case .observation(let observation): return observation
        case .request(let request, let newTab): return await load(request, newTab: newTab)
        }
    }

    /// The element behind a node; text stands for its container.
    func element(of node: AccessibilityNode) -> HTMLElement? {
        var current: AccessibilityNode? = node
        while let n = current {
            if let e = n.element { return e }
            current = page.tree.parent(of: n)
        }
        return nil
    }

    static func isTextField(_ element: HTMLElement) -> Bool {
        if element.tag == "textarea" { return true }
        guard element.tag == "input" else { return false }
        return !["checkbox", "radio", "submit", "reset", "button", "image", "file", "hidden", "range", "color"]
            .contains(RoleMapping.inputType(element))
    }

    // MARK: click

    func click(_ id: Int) async -> Observation {
        let effect: Effect = withLock {
            guard let node = lookup(id, verb: "click"), let element = element(of: node) else {
                return .observation(makeObservation(error: notFound("click", id)))
            }
            return activate(element, id: id)
        }
        return await run(effect)
    }

    /// Lock held. The browser's activation behaviour for `element` or its nearest activatable ancestor.
    func activate(_ element: HTMLElement, id: Int) -> Effect {
        let activatable: (HTMLElement) -> Bool = { e in
            switch e.tag {
            case "a", "area": return e.hasAttribute("href")
            case "button", "input", "select", "option", "summary", "label", "textarea": return true
            default: return false
            }
        }
        guard let target = activatable(element) ? element : element.ancestor(where: activatable) else {
            // Clicking plain content does nothing without scripts, but focus moves away from fields.
            var p = page
            p.focused = nil
            p.refresh()
            page = p
            return .observation(makeObservation(error: nil))
        }
        if FormSubmission.isDisabled(target) && ["button", "input", "select", "option", "textarea"].contains(target.tag) {
            return .observation(makeObservation(error: "Element [\(id)] is disabled; clicking it does nothing."))
        }
        let document = page.document
        switch target.tag {
        case "a", "area":
            let href = target.attribute("href") ?? ""
            if href.lowercased().hasPrefix("javascript:") {
                return .observation(makeObservation(error: "The link [\(id)] runs JavaScript (\(href)), which this browser does not execute."))
            }
            guard let url = URLResolution.resolve(href, against: document.baseURL) else {
                return .observation(makeObservation(error: "The link [\(id)] has an invalid address: \(href)"))
            }
            let newTab = (target.attribute("target") ?? "").lowercased() == "_blank"
            return .request(HTTPRequest(url: url), newTab: newTab)
        case "summary":
            if let details = target.parent, details.tag == "details",
               details.elementChildren.first(where: { $0.tag == "summary" }) === target {
                var p = page
                p.state.setOpen(!p.state.isOpen(details), details)
                p.focused = target.index
                p.refresh()
                page = p
            }
            return .observation(makeObservation(error: nil))
        case "label":
            guard let control = AccessibleNameComputer.labeledControl(of: target, in: document), control !== element else {
                return .observation(makeObservation(error: nil))
            }
            return activate(control, id: id)
        case "option":
            guard let select = target.ancestor(where: { $0.tag == "select" }) else { return .observation(makeObservation(error: nil)) }
            return .observation(choose([target], in: select))
        case "select", "textarea":
            return .observation(focus(target))
        case "button":
            switch (target.attribute("type") ?? "submit").lowercased() {
            case "reset": return .observation(resetForm(of: target))
            case "button":
                return .observation(focus(target, error: "Button [\(id)] only works with JavaScript, which this browser does not run; nothing happened."))
            default: return submit(from: target)
            }
        default:  // input
            switch RoleMapping.inputType(target) {
            case "submit", "image": return submit(from: target)
            case "reset": return .observation(resetForm(of: target))
            case "checkbox":
                var p = page
                p.state.setChecked(!p.state.isChecked(target), target)
                p.focused = target.index
                p.refresh()
                page = p
                return .observation(makeObservation(error: nil))
            case "radio":
                var p = page
                for other in radioGroup(of: target) { p.state.setChecked(false, other) }
                p.state.setChecked(true, target)
                p.focused = target.index
                p.refresh()
                page = p
                return .observation(makeObservation(error: nil))
            case "file":
                return .observation(makeObservation(error: "File upload is not supported: element [\(id)] is a file chooser."))
            case "button":
                return .observation(focus(target, error: "Button [\(id)] only works with JavaScript, which this browser does not run; nothing happened."))
            default:
                return .observation(focus(target))
            }
        }
    }

    func focus(_ element: HTMLElement, error: String? = nil) -> Observation {
        var p = page
        p.focused = element.index
        p.refresh()
        page = p
        return makeObservation(error: error)
    }

    func radioGroup(of radio: HTMLElement) -> [HTMLElement] {
        guard let name = radio.attribute("name"), !name.isEmpty else { return [] }
        let document = page.document
        let form = FormSubmission.owner(of: radio, in: document)
        return document.root.descendants().filter {
            $0.tag == "input" && RoleMapping.inputType($0) == "radio" && $0.attribute("name") == name
                && FormSubmission.owner(of: $0, in: document) === form
        }
    }

    func resetForm(of element: HTMLElement) -> Observation {
        guard let form = FormSubmission.owner(of: element, in: page.document) else { return makeObservation(error: nil) }
        var p = page
        for control in FormSubmission.controls(of: form, in: p.document) {
            p.state.values[control.index] = nil
            p.state.checked[control.index] = nil
            p.state.selections[control.index] = nil
        }
        p.refresh()
        page = p
        return makeObservation(error: nil)
    }

    /// Lock held. Submits the form `element` belongs to, with `element` as submitter if it is a submit button.
    func submit(from element: HTMLElement) -> Effect {
        let document = page.document
        guard let form = FormSubmission.owner(of: element, in: document) else {
            return .observation(makeObservation(error: nil))
        }
        var submitter: HTMLElement? = FormSubmission.isSubmitButton(element) ? element : nil
        if submitter == nil {
            // Implicit submission uses the form's default button; a disabled one blocks it.
            let controls = FormSubmission.controls(of: form, in: document)
            if let defaultButton = controls.first(where: FormSubmission.isSubmitButton) {
                if FormSubmission.isDisabled(defaultButton) {
                    return .observation(makeObservation(error: "The form's submit button is disabled; the form was not submitted."))
                }
                submitter = defaultButton
            }
        }
        switch FormSubmission.request(for: form, submitter: submitter, in: document, state: page.state) {
        case .failure(let error): return .observation(makeObservation(error: error.description))
        case .success(let request):
            let target = (submitter?.attribute("formtarget") ?? form.attribute("target") ?? "").lowercased()
            return .request(request, newTab: target == "_blank")
        }
    }

    // MARK: type

    func type(_ id: Int, text: String, pressEnter: Bool) async -> Observation {
        let effect: Effect = withLock {
            guard let node = lookup(id, verb: "type"), var field = element(of: node) else {
                return .observation(makeObservation(error: notFound("type", id)))
            }
            if field.tag == "label", let control = AccessibleNameComputer.labeledControl(of: field, in: page.document) {
                field = control
            }
            guard Self.isTextField(field) else {
                let hint = field.tag == "select" ? " Use select_option [\(id)] [option] for drop-downs." : ""
                return .observation(makeObservation(error: "Element [\(id)] (\(node.role) '\(node.name)') is not a text field; cannot type into it.\(hint)"))
            }
            if FormSubmission.isDisabled(field) || field.hasAttribute("readonly") {
                return .observation(makeObservation(error: "Element [\(id)] is \(field.hasAttribute("readonly") ? "read-only" : "disabled"); cannot type into it."))
            }
            var value = text
            if let limit = Int(field.attribute("maxlength") ?? ""), limit >= 0, value.count > limit {
                value = String(value.prefix(limit))
            }
            var p = page
            // Like BrowserGym's fill(): the typed text replaces the field's content.
            p.state.setValue(value, of: field)
            p.focused = field.index
            p.refresh()
            page = p
            if pressEnter && field.tag != "textarea" { return submit(from: field) }
            return .observation(makeObservation(error: nil))
        }
        return await run(effect)
    }

    // MARK: press

    func press(_ keys: String) async -> Observation {
        let normalized = keys.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "control", with: "ctrl")
        let effect: Effect = withLock {
            let focused = page.focused.flatMap { index in page.document.root.descendants().first { $0.index == index } }
            switch normalized {
            case "enter", "return":
                guard let focused else { return .observation(makeObservation(error: nil)) }
                if Self.isTextField(focused) && focused.tag != "textarea" { return submit(from: focused) }
                if focused.tag == "textarea" {
                    var p = page
                    p.state.setValue(p.state.value(of: focused) + "\n", of: focused)
                    p.refresh()
                    page = p
                    return .observation(makeObservation(error: nil))
                }
                return activate(focused, id: focused.index + 1)
            case "backspace":
                guard let focused, Self.isTextField(focused) else { return .observation(makeObservation(error: nil)) }
                var p = page
                p.state.setValue(String(p.state.value(of: focused).dropLast()), of: focused)
                p.refresh()
                page = p
                return .observation(makeObservation(error: nil))
            case "alt+arrowleft", "alt+left", "meta+[", "browserback":
                return .observation(moveHistory(-1))
            case "alt+arrowright", "alt+right", "meta+]", "browserforward":
                return .observation(moveHistory(1))
            case "pagedown", "space":
                return .observation(scrollBy(1))
            case "pageup":
                return .observation(scrollBy(-1))
            case "home", "ctrl+home":
                return .observation(scrollTo(0))
            default:
                // Other keys (Tab, arrows, shortcuts) have no effect on a page without scripts.
                return .observation(makeObservation(error: nil))
            }
        }
        return await run(effect)
    }

    private func moveHistory(_ delta: Int) -> Observation {
        let target = activeTab.position + delta
        guard activeTab.history.indices.contains(target) else { return makeObservation(error: nil) }
        activeTab.position = target
        return makeObservation(error: nil)
    }

    private func scrollBy(_ delta: Int) -> Observation {
        scrollTo(page.scroll + delta)
    }

    private func scrollTo(_ window: Int) -> Observation {
        let count = viewportWindows().count
        var p = page
        p.scroll = max(0, min(count - 1, window))
        page = p
        return makeObservation(error: nil)
    }

    // MARK: select_option

    func selectOption(_ id: Int, value: String) -> Observation {
        guard let node = lookup(id, verb: "select_option"), let element = element(of: node) else {
            return makeObservation(error: notFound("select_option", id))
        }
        var select = element
        if element.tag == "option", let owner = element.ancestor(where: { $0.tag == "select" }) { select = owner }
        if element.tag == "label", let control = AccessibleNameComputer.labeledControl(of: element, in: page.document) {
            select = control
        }
        guard select.tag == "select" else {
            return makeObservation(error: "Element [\(id)] (\(node.role) '\(node.name)') is not a drop-down; select_option needs a combobox or listbox.")
        }
        if FormSubmission.isDisabled(select) { return makeObservation(error: "Element [\(id)] is disabled.") }
        let options = FormState.options(of: select).filter { !$0.hasAttribute("disabled") }
        let wanted = value.collapsingWhitespace()
        let lowered = wanted.lowercased()
        let match = options.first { FormState.optionLabel($0) == wanted || FormState.optionValue($0) == wanted }
            ?? options.first { FormState.optionLabel($0).lowercased() == lowered || FormState.optionValue($0).lowercased() == lowered }
            ?? options.first { FormState.optionLabel($0).lowercased().contains(lowered) }
        guard let match else {
            let names = options.map { "'\(FormState.optionLabel($0))'" }.joined(separator: ", ")
            return makeObservation(error: "No option '\(value)' in [\(id)]; the options are \(names).")
        }
        return choose([match], in: select)
    }

    func choose(_ options: [HTMLElement], in select: HTMLElement) -> Observation {
        var p = page
        var chosen = options
        if select.hasAttribute("multiple") {
            let current = p.state.selectedOptions(of: select)
            chosen = current.filter { c in !options.contains { $0 === c } } + options
        }
        p.state.select(chosen, in: select)
        p.focused = select.index
        p.refresh()
        page = p
        return makeObservation(error: nil)
    }
}
