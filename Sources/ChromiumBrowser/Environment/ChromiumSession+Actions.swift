import Foundation
import WebBrowser
import NNetnavSupport

/// Executing the WebArena action grammar on Chromium: element actions scroll the element into
/// view and act at its centre with real input events, so page handlers see what a user causes.
extension ChromiumSession {
    func step(_ action: BrowserAction) async throws -> (Observation, RenderedTree) {
        guard let tab = activeTab else { throw ChromiumError.unusable("no open tab; call reset first") }
        let before = tab.navigationCount
        let requestsBefore = tab.navigationRequestCount
        let error: String?
        do {
            error = try await execute(action, on: tab)
        } catch let failure as ChromiumError {
            // A timeout means the page or browser is stuck: the caller must know. Anything else
            // (a node that vanished, a script error) is the action's failure, shown to the model.
            if case .timeout = failure { throw failure }
            if case .disconnected = failure { throw failure }
            error = "\(action.verb) failed: \(failure)"
        }
        if let current = activeTab {
            try await current.settle(after: current === tab ? before : 0,
                                     requestsBefore: current === tab ? requestsBefore : 0,
                                     timeout: configuration.navigationTimeout)
            // A refused page load leaves Chromium's error page: go back to where the agent was,
            // as the native browser never leaves the page it refuses to change.
            if let refusal = tabs.flatMap({ $0.takeRefusals() }).first {
                if (try? await current.evaluate("location.protocol").string) == "chrome-error:" {
                    _ = try? await traverseHistory(by: -1, on: current)
                }
                return try await observe(error: error ?? refusal)
            }
        }
        return try await observe(error: error)
    }

    /// Runs one action; returns the error message the model should see, if any.
    private func execute(_ action: BrowserAction, on tab: ChromiumTab) async throws -> String? {
        let timeout = configuration.commandTimeout
        switch action {
        case .click(let id):
            guard let node = backendNode(id) else { return missing(action, id) }
            let point = try await scrollIntoView(node, on: tab)
            try await click(at: point, node: node, on: tab)
        case .hover(let id):
            guard let node = backendNode(id) else { return missing(action, id) }
            if let point = try await scrollIntoView(node, on: tab) {
                try await tab.call("Input.dispatchMouseEvent", ["type": "mouseMoved", "x": .number(point.x), "y": .number(point.y)])
            }
        case .type(let id, let text, let pressEnter):
            guard let node = backendNode(id) else { return missing(action, id) }
            let point = try await scrollIntoView(node, on: tab)
            try await click(at: point, node: node, on: tab)
            // Replace the field's content, as BrowserGym's fill does, rather than appending to it.
            _ = try await tab.callFunction(on: node, Self.focusAndSelectContent, timeout: timeout)
            try await tab.call("Input.dispatchKeyEvent", KeyStroke.parse("Delete")!.downParams())
            try await tab.call("Input.dispatchKeyEvent", KeyStroke.parse("Delete")!.upParams())
            try await typeText(text, on: tab)
            if pressEnter { try await press(KeyStroke.parse("Enter")!, on: tab) }
        case .selectOption(let id, let value):
            guard let node = backendNode(id) else { return missing(action, id) }
            _ = try await scrollIntoView(node, on: tab)
            let result = try await tab.callFunction(on: node, Self.selectOption, arguments: [.string(value)], timeout: timeout)
            if let message = result.string, !message.isEmpty { return message }
        case .press(let keys):
            guard let stroke = KeyStroke.parse(keys) else { return "press: unknown key combination '\(keys)'" }
            try await press(stroke, on: tab)
        case .scroll(let direction):
            let sign = direction == .down ? "" : "-"
            _ = try await tab.evaluate("window.scrollBy(0, \(sign)window.innerHeight)", timeout: timeout)
        case .newTab:
            _ = try await openTab()
        case .tabFocus(let index):
            guard tabs.indices.contains(index) else { return "tab_focus: there is no tab \(index) (open tabs: \(tabs.count))" }
            active = index
            try await connection.call("Target.activateTarget", ["targetId": .string(tabs[index].targetID)])
        case .closeTab:
            try await connection.call("Target.closeTarget", ["targetId": .string(tab.targetID)])
            tab.detachListener()
            tabs.removeAll { $0 === tab }
            snapshotters[tab.targetID] = nil
            if tabs.isEmpty { _ = try await openTab() }
            active = min(active, tabs.count - 1)
        case .goto(let url):
            // A relative URL resolves against the current page, as in the native browser.
            let base = lastSnapshot?.url ?? ""
            let target = base.hasPrefix("http") ? URLResolution.resolve(url, against: base) ?? url : url
            if let refusal = allowlist?.refusal(for: target) { return refusal }
            if let failure = try await tab.navigate(to: target, timeout: configuration.navigationTimeout) {
                return "could not load \(url): \(failure)"
            }
        case .goBack, .goForward:
            return try await traverseHistory(by: action == .goBack ? -1 : 1, on: tab)
        case .stop:
            return nil
        case .invalid(let raw, let reason):
            return "The previous prediction you issued was \"\(raw)\". However, the format was incorrect: \(reason)"
        }
        return nil
    }

    private func backendNode(_ id: Int) -> Int? { lastSnapshot?.backendNodes[id] }

    private func missing(_ action: BrowserAction, _ id: Int) -> String {
        "Attempt to perfom \"\(action.verb)\" on element \"[\(id)]\" but no matching element found. "
            + "Please check the observation more carefully."
    }

    /// Scrolls the node into view and returns the centre of its first box, in viewport
    /// coordinates; nil when it has no box (hidden), in which case callers fall back to script.
    private func scrollIntoView(_ node: Int, on tab: ChromiumTab) async throws -> (x: Double, y: Double)? {
        try? await tab.call("DOM.scrollIntoViewIfNeeded", ["backendNodeId": .number(Double(node))])
        struct Quads: Decodable { let quads: [[Double]] }
        guard let quads: Quads = try? await tab.send("DOM.getContentQuads", ["backendNodeId": .number(Double(node))]),
              let quad = quads.quads.first(where: { $0.count == 8 }) else { return nil }
        let x = (quad[0] + quad[2] + quad[4] + quad[6]) / 4
        let y = (quad[1] + quad[3] + quad[5] + quad[7]) / 4
        return (x, y)
    }

    private func click(at point: (x: Double, y: Double)?, node: Int, on tab: ChromiumTab) async throws {
        guard let point else {
            _ = try await tab.callFunction(on: node, "function() { (this.nodeType === 1 ? this : this.parentElement).click(); }")
            return
        }
        let x = JSONValue.number(point.x), y = JSONValue.number(point.y)
        try await tab.call("Input.dispatchMouseEvent", ["type": "mouseMoved", "x": x, "y": y])
        try await tab.call("Input.dispatchMouseEvent", ["type": "mousePressed", "x": x, "y": y, "button": "left", "clickCount": 1])
        try await tab.call("Input.dispatchMouseEvent", ["type": "mouseReleased", "x": x, "y": y, "button": "left", "clickCount": 1])
    }

    private func press(_ stroke: KeyStroke, on tab: ChromiumTab) async throws {
        try await tab.call("Input.dispatchKeyEvent", stroke.downParams())
        try await tab.call("Input.dispatchKeyEvent", stroke.upParams())
    }

    /// Short text is typed key by key (autocomplete widgets listen to key events); long text is inserted.
    private func typeText(_ text: String, on tab: ChromiumTab) async throws {
        if text.count > 200 && !text.contains("\n") {
            try await tab.call("Input.insertText", ["text": .string(text)])
            return
        }
        for ch in text { try await press(KeyStroke.character(ch), on: tab) }
    }

    private func traverseHistory(by delta: Int, on tab: ChromiumTab) async throws -> String? {
        struct History: Decodable {
            struct Entry: Decodable { let id: Int }
            let currentIndex: Int
            let entries: [Entry]
        }
        let history: History = try await tab.send("Page.getNavigationHistory")
        let target = history.currentIndex + delta
        guard history.entries.indices.contains(target) else {
            return delta < 0 ? "go_back: there is no previous page" : "go_forward: there is no next page"
        }
        try await tab.call("Page.navigateToHistoryEntry", ["entryId": .number(Double(history.entries[target].id))])
        try await Task.sleep(nanoseconds: 50_000_000)
        try await tab.waitForLoad(timeout: configuration.navigationTimeout)
        return nil
    }

    static let focusAndSelectContent = """
    function() {
      const el = this.nodeType === 1 ? this : this.parentElement;
      el.focus();
      if (typeof el.select === 'function' && 'value' in el) { el.select(); }
      else if (el.isContentEditable) {
        const range = document.createRange(); range.selectNodeContents(el);
        const selection = window.getSelection(); selection.removeAllRanges(); selection.addRange(range);
      }
    }
    """

    /// Chooses the option whose label or value matches, firing the events a user's choice fires.
    static let selectOption = """
    function(wanted) {
      const el = this.nodeType === 1 ? this : this.parentElement;
      if (!el || el.tagName !== 'SELECT') return 'select_option: element is not a <select>';
      const norm = (s) => (s || '').trim().toLowerCase();
      const options = Array.from(el.options);
      const option = options.find(o => o.label.trim() === wanted.trim() || o.value === wanted)
        || options.find(o => norm(o.label) === norm(wanted) || norm(o.text) === norm(wanted));
      if (!option) return 'select_option: no option "' + wanted + '"; options are: ' + options.map(o => o.label.trim()).join(', ');
      el.focus();
      el.value = option.value;
      option.selected = true;
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
      return '';
    }
    """
}
