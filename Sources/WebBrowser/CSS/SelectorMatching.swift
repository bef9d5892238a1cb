/// Matches complex selectors right to left (the subject first, then up the combinators), with
/// backtracking for descendant and sibling combinators cut short by `Outcome`. `budget` caps
/// the steps one context may take all the same, so no sheet can make matching unbounded: once
/// it is spent, nothing more matches.
final class SelectorContext {
    /// Steps left; each compound tested against an element is one.
    var budget: Int
    /// A parent's element children, and each element's position among its siblings, built per
    /// parent on the first structural question about one of its children.
    private var siblingLists: [ObjectIdentifier: [HTMLElement]] = [:]
    private var positions: [ObjectIdentifier: Position] = [:]
    private var typeCounts: [TypeKey: Int] = [:]

    init(budget: Int = 50_000_000) { self.budget = budget }

    func matches(_ selector: CSSComplexSelector, _ element: HTMLElement) -> Bool {
        guard !selector.unmatchable else { return false }
        return match(selector, selector.compounds.count - 1, element) == .matches
    }

    /// How a partial match failed, so the combinator loops above it know whether trying another
    /// ancestor or sibling could help (the scheme of WebKit's and Blink's matchers). Without it a
    /// chain of descendant combinators backtracks through every way of placing its compounds.
    enum Outcome {
        case matches
        /// This element does not match; another element in its place might.
        case failsLocally
        /// No earlier sibling in this position can match either.
        case failsAllSiblings
        /// No element further up can match: the left part ran out of ancestors.
        case failsCompletely
    }

    private func match(_ selector: CSSComplexSelector, _ k: Int, _ element: HTMLElement) -> Outcome {
        guard budget > 0 else { return .failsCompletely }
        budget -= 1
        guard matches(selector.compounds[k], element) else { return .failsLocally }
        if k == 0 { return .matches }
        switch selector.combinators[k - 1] {
        case .child:
            guard let parent = element.parent else { return .failsCompletely }
            return match(selector, k - 1, parent)
        case .descendant:
            var node = element.parent
            while let n = node {
                let outcome = match(selector, k - 1, n)
                if outcome == .matches || outcome == .failsCompletely { return outcome }
                node = n.parent
            }
            return .failsCompletely
        case .nextSibling:
            guard let place = place(of: element), place.position > 0 else { return .failsAllSiblings }
            return match(selector, k - 1, place.siblings[place.position - 1])
        case .subsequentSibling:
            guard let place = place(of: element) else { return .failsAllSiblings }
            var p = place.position - 1
            while p >= 0 {
                let outcome = match(selector, k - 1, place.siblings[p])
                if outcome != .failsLocally { return outcome }
                p -= 1
            }
            return .failsAllSiblings
        }
    }

    func matches(_ compound: CSSCompound, _ element: HTMLElement) -> Bool {
        if let tag = compound.tag, element.tag != tag { return false }
        if let id = compound.id, element.attribute("id") != id { return false }
        if !compound.classes.isEmpty {
            guard let list = element.attribute("class") else { return false }
            for name in compound.classes where !Self.hasToken(list, name) { return false }
        }
        for test in compound.attributes where !Self.passes(test, element) { return false }
        for pseudo in compound.pseudoClasses where !matches(pseudo, element) { return false }
        return true
    }

    /// Whether the whitespace-separated `list` holds `token`.
    static func hasToken(_ list: String, _ token: String) -> Bool {
        list.utf8.split(whereSeparator: CSSText.isWhitespace).contains { $0.elementsEqual(token.utf8) }
    }

    static func passes(_ test: CSSCompound.AttributeTest, _ element: HTMLElement) -> Bool {
        guard var value = element.attribute(test.name) else { return false }
        if test.op == .exists { return true }
        if test.caseInsensitive { value = value.lowercased() }
        let wanted = test.value
        switch test.op {
        case .exists: return true
        case .equals: return value == wanted
        case .includes: return !wanted.isEmpty && hasToken(value, wanted)
        case .dashMatch: return value == wanted || value.hasPrefix(wanted + "-")
        case .prefix: return !wanted.isEmpty && value.hasPrefix(wanted)
        case .suffix: return !wanted.isEmpty && value.hasSuffix(wanted)
        case .substring: return !wanted.isEmpty && value.contains(wanted)
        }
    }

    private func matches(_ pseudo: CSSCompound.PseudoClass, _ element: HTMLElement) -> Bool {
        switch pseudo {
        case .not(let list): return !list.contains { matches($0, element) }
        case .matchesAny(let list): return list.contains { matches($0, element) }
        case .never: return false
        case .root: return element.parent == nil
        case .empty:
            return element.children.allSatisfy { if case .text(let t) = $0 { t.text.isEmpty } else { false } }
        case .link: return (element.tag == "a" || element.tag == "area") && element.hasAttribute("href")
        case .checked:
            if element.tag == "option" { return element.hasAttribute("selected") }
            guard element.tag == "input" else { return false }
            let type = element.attribute("type")?.lowercased()
            return (type == "checkbox" || type == "radio") && element.hasAttribute("checked")
        case .disabled: return element.tagTraits.contains(.formControl) && element.hasAttribute("disabled")
        case .enabled: return element.tagTraits.contains(.formControl) && !element.hasAttribute("disabled")
        case .required: return ["input", "select", "textarea"].contains(element.tag) && element.hasAttribute("required")
        case .optional: return ["input", "select", "textarea"].contains(element.tag) && !element.hasAttribute("required")
        case .nth(let a, let b, let ofType, let fromEnd, let of):
            guard let place = place(of: element) else { return a == 0 && b == 1 && of == nil }
            guard let of else {
                // The 1-based index among all siblings, or among those of the element's type.
                let index = ofType ? (fromEnd ? place.typeCount - place.typeIndex : place.typeIndex + 1)
                    : (fromEnd ? place.siblings.count - place.position : place.position + 1)
                return Self.isNth(index, a: a, b: b)
            }
            guard of.contains(where: { matches($0, element) }) else { return false }
            var index = 1
            var p = fromEnd ? place.position + 1 : place.position - 1
            while p >= 0, p < place.siblings.count, budget > 0 {
                let s = place.siblings[p]
                if of.contains(where: { matches($0, s) }) { index += 1 }
                p += fromEnd ? 1 : -1
            }
            return Self.isNth(index, a: a, b: b)
        }
    }

    /// Whether `index` = a·n + b for some n ≥ 0.
    static func isNth(_ index: Int, a: Int, b: Int) -> Bool {
        if a == 0 { return index == b }
        let diff = index - b
        return diff % a == 0 && diff / a >= 0
    }

    /// Where an element stands among its parent's element children: its position, and its
    /// position among (and the number of) the siblings of its own tag.
    struct Place {
        var siblings: [HTMLElement]
        var position: Int
        var typeIndex: Int
        var typeCount: Int
    }

    private struct Position { var position: Int; var typeIndex: Int }

    private func place(of element: HTMLElement) -> Place? {
        guard let parent = element.parent else { return nil }
        let key = ObjectIdentifier(parent)
        let siblings: [HTMLElement]
        if let known = siblingLists[key] {
            siblings = known
        } else {
            siblings = parent.elementChildren
            siblingLists[key] = siblings
            var seen: [String: Int] = [:]
            for (p, s) in siblings.enumerated() {
                let n = seen[s.tag, default: 0]
                seen[s.tag] = n + 1
                positions[ObjectIdentifier(s)] = Position(position: p, typeIndex: n)
            }
            for (tag, count) in seen { typeCounts[TypeKey(parent: key, tag: tag)] = count }
        }
        guard let at = positions[ObjectIdentifier(element)] else { return nil }
        return Place(siblings: siblings, position: at.position, typeIndex: at.typeIndex,
                     typeCount: typeCounts[TypeKey(parent: key, tag: element.tag)] ?? 1)
    }

    private struct TypeKey: Hashable { var parent: ObjectIdentifier; var tag: String }
}
