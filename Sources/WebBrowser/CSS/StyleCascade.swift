/// Applies a page's `<style>` sheets to its elements' `display` and `visibility` (CSS Cascade 4
/// §6): for each property the declaration with the highest (importance and origin, specificity,
/// order) wins, the `style` attribute counting as more specific than any selector. What
/// `visibility` inherits and what `display: none` hides is left to the readers of
/// `ElementStyle` (`Visibility`, the tree builder).
///
/// Sheets come from `<style>` elements only: a `<link rel=stylesheet>` would be another fetch,
/// which the native browser never makes (the agreement bench's Chromium may not fetch it either).
/// `<style>` inside `<template>` or `<noscript>` is inert in a scripting browser, and one whose
/// `media` does not match or whose `type` is not CSS is skipped.
enum StyleCascade {
    /// Matching steps one document may take (see `SelectorContext.budget`).
    static let matchingBudget = 10_000_000

    static func apply(to root: HTMLElement) {
        var sheet = StyleSheet()
        for element in root.descendants() where element.tag == "style" {
            if let type = element.attribute("type")?.trimmingCharacters(in: .whitespaces).lowercased(),
               !type.isEmpty, type != "text/css" { continue }
            if element.ancestor(where: { $0.tag == "template" || $0.tag == "noscript" }) != nil { continue }
            sheet.add(element.textContent, media: element.attribute("media"))
        }
        guard !sheet.isEmpty else { return }
        var cascade = Cascade(sheet: sheet)
        cascade.run(from: root)
    }

    /// One pass over the tree in document order, keeping counts of the ancestors' keys (ids,
    /// classes, tags) so rules whose ancestor compounds cannot match are skipped untested.
    private struct Cascade {
        let sheet: StyleSheet
        let context = SelectorContext(budget: StyleCascade.matchingBudget)
        var ancestorKeys: [Int: Int] = [:]

        init(sheet: StyleSheet) { self.sheet = sheet }

        mutating func run(from root: HTMLElement) {
            var stack: [(element: HTMLElement, next: Int, keys: [Int])] = []
            stack.append((root, 0, enter(root)))
            while !stack.isEmpty {
                let top = stack.count - 1
                let (element, next, _) = stack[top]
                var child: HTMLElement?
                var k = next
                while k < element.children.count {
                    if case .element(let e) = element.children[k] { child = e; k += 1; break }
                    k += 1
                }
                stack[top].next = k
                if let child {
                    stack.append((child, 0, enter(child)))
                } else {
                    for key in stack[top].keys {
                        if let n = ancestorKeys[key], n > 1 { ancestorKeys[key] = n - 1 } else { ancestorKeys[key] = nil }
                    }
                    stack.removeLast()
                }
            }
        }

        /// Styles `element` and adds its keys to the ancestors' for its descendants.
        private mutating func enter(_ element: HTMLElement) -> [Int] {
            let classes = (element.attribute("class") ?? "").utf8.split(whereSeparator: CSSText.isWhitespace)
                .map { String(decoding: $0, as: UTF8.self) }
            style(element, classes: classes)
            var keys = [StyleSheet.key(tag: element.tag)]
            if let id = element.attribute("id") { keys.append(StyleSheet.key(id: id)) }
            for name in classes { keys.append(StyleSheet.key(class: name)) }
            for key in keys { ancestorKeys[key, default: 0] += 1 }
            return keys
        }

        /// The winner of each property, as (tier, specificity, order) packed in one integer.
        private func priority(_ d: CSSText.Declaration, rule: StyleSheet.Rule?) -> Int {
            // Tiers, low to high: layered, unlayered, inline, then important inline is the
            // highest and important layered beats important unlayered (Cascade 5 §6.4).
            let tier: Int
            switch (d.important, rule) {
            case (false, let r?): tier = r.layered ? 0 : 1
            case (false, nil): tier = 2
            case (true, let r?): tier = r.layered ? 4 : 3
            case (true, nil): tier = 5
            }
            guard let rule else { return tier << 56 }
            return tier << 56 | rule.selector.specificity << 32 | min(rule.order, Int(UInt32.max))
        }

        private func style(_ element: HTMLElement, classes: [String]) {
            var candidates: [Int] = []
            if let id = element.attribute("id"), let rules = sheet.byID[id] { candidates += rules }
            var seen: Set<String> = []
            for name in classes where seen.insert(name).inserted {
                if let rules = sheet.byClass[name] { candidates += rules }
            }
            if let rules = sheet.byTag[element.tag] { candidates += rules }
            candidates += sheet.universal
            guard !candidates.isEmpty else { return }

            // The winning declaration of each slot (display, visibility, white-space, border sides...).
            var winners: [String: (priority: Int, declaration: CSSText.Declaration)] = [:]
            func consider(_ d: CSSText.Declaration, _ p: Int) {
                for slot in ElementStyle.slots(of: d.property) where p >= (winners[slot]?.priority ?? -1) {
                    winners[slot] = (p, d)
                }
            }
            for index in candidates {
                let rule = sheet.rules[index]
                guard rule.ancestorKeys.allSatisfy({ ancestorKeys[$0] != nil }),
                      context.matches(rule.selector, element) else { continue }
                for d in rule.declarations { consider(d, priority(d, rule: rule)) }
            }
            guard !winners.isEmpty else { return }
            if let inline = element.attribute("style") {
                for d in CSSText.declarations(Array(inline.utf8)[...], properties: ElementStyle.properties) {
                    consider(d, priority(d, rule: nil))
                }
            }
            var style = element.style
            for (slot, winner) in winners {
                style.reset(slot: slot)
                style.apply(winner.declaration, slot: slot)
            }
            element.style = style
        }
    }
}
