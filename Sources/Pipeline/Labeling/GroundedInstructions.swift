import Foundation
import WebBrowser

/// An instruction a trajectory demonstrably accomplished, with the answer its stop action gives.
public struct GroundedInstruction: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable { case fact, search, navigation, action }
    public var kind: Kind
    public var text: String
    /// What `stop [...]` answers; empty for a task that asks for nothing (open a page, search).
    public var answer: String
}

/// Hindsight instructions for a trajectory prefix, built from what it observably did: the facts the
/// page it reached states (and the start page did not), the text it searched for, the page it opened.
///
/// This is the labeler for a teacher too small to write instructions (the embedded 135M model writes
/// chat noise, see `ObservedChange`): the teacher still chooses the label, by likelihood among these
/// candidates given the trajectory, and the judge and the consistency check still score it; but every
/// candidate is true of the trajectory by construction, and an information question's answer is read
/// from the page rather than guessed by the stop-action model. Nothing here knows the sites' tasks: the
/// candidates come from the page's own labels (row headers, column headers, "Label: value" texts).
public enum GroundedInstructions {
    /// One visited page and the action taken on it (nil on the last page of the prefix).
    public struct Page: Sendable, Hashable {
        public var url: String
        public var observation: String
        public var action: String?
        public init(url: String, observation: String, action: String?) {
            self.url = url
            self.observation = observation
            self.action = action
        }
    }

    /// Most fact questions offered for one page: enough for the teacher's choice to vary, few enough
    /// that scoring them stays cheap.
    public static let maxFacts = 10

    /// The candidates for a prefix whose last page is `pages.last`; none for a prefix without actions.
    /// With `actionLabels`, a prefix that reached no new fact, search or page is labeled by its last step
    /// (`actionLabel`).
    public static func candidates(_ pages: [Page], actionLabels: Bool = false) -> [GroundedInstruction] {
        guard pages.count >= 2, let start = pages.first, let final = pages.last else { return [] }
        let page = PageFacts(observation: final.observation)
        var out: [GroundedInstruction] = []
        var seen: Set<String> = []
        func add(_ candidate: GroundedInstruction) {
            if seen.insert(candidate.text.lowercased()).inserted { out.append(candidate) }
        }
        let earlier = earlierValues(pages.dropLast())
        // Facts the start page already showed needed no trajectory.
        for fact in page.facts where !shows(start.observation, fact.value) {
            guard out.count < maxFacts else { break }
            // A value an earlier page of the prefix stated otherwise was changed by the trajectory itself (its
            // "Subscribe" click turned 28 subscribers into 29): asked as a question, the demonstration would
            // teach changing the site to answer it, and the answer would be one the trajectory made up.
            if let before = earlier[FactKey(fact)], !before.contains(fact.value) { continue }
            add(GroundedInstruction(kind: .fact, text: question(fact, onPage: page.subject), answer: fact.value))
        }
        let search = lastSearch(pages)
        if let search {
            add(GroundedInstruction(kind: .search, text: "Search for \"\(search.query)\".", answer: ""))
        }
        // The page a search just opened, with the query in its URL's query, is its results: "Open the page
        // "Search: gaming"" would say what "Search for "gaming"." says, in a form no user writes. (A search
        // that went straight to an article, /wiki/Drelarea, did open that page.)
        let resultsOfSearch = search.map { $0.index == pages.count - 2 && Self.query(of: final.url).contains($0.query.lowercased()) } ?? false
        // The step that opened the final page (scrolls and clicks that stayed on it came after). A Search
        // button pressed with an empty box opens "Search", a page that names no search.
        if final.url != start.url, !page.subject.isEmpty, !resultsOfSearch,
           let opener = pages.dropLast().lastIndex(where: { $0.url != final.url }),
           !pressesSearchButton(pages[opener]), !reachedAside(pages[opener], subject: page.subject) {
            add(GroundedInstruction(kind: .navigation, text: "Open the page \"\(page.subject)\".", answer: ""))
        }
        if actionLabels, out.isEmpty, let label = actionLabel(pages) { add(label) }
        return out
    }

    /// Roles named in an action label ("Click the button "No"."); other elements are named by their text alone.
    static let labeledRoles: Set<String> = ["button", "link", "tab", "checkbox", "radio", "option", "menuitem", "treeitem",
                                            "switch"]

    /// What the prefix's last step did, as an instruction, when it changed the page it stayed on: "Click the
    /// button "No".", "Click "Darsey Arcu tempus.".", "Type "kasie" into the "Username" field.". This is the
    /// label of a page whose controls act in place and state no facts (MiniWoB++'s task pages: nothing there
    /// is a page to open or a value to ask for); it is true of the step by construction, and it names the
    /// element by what the observation shows, never by a task.
    static func actionLabel(_ pages: [Page]) -> GroundedInstruction? {
        guard pages.count >= 2 else { return nil }
        let acted = pages[pages.count - 2], final = pages[pages.count - 1]
        guard let action = acted.action, final.observation != acted.observation else { return nil }
        switch ActionParser.parse(action: action) {
        case .click(let id):
            guard let clicked = element(id, on: acted) else { return nil }
            let name = clicked.name.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !name.isEmpty, !name.contains("\"") else { return nil }
            let text = labeledRoles.contains(clicked.role) ? "Click the \(clicked.role) \"\(name)\"." : "Click \"\(name)\"."
            return GroundedInstruction(kind: .action, text: text, answer: "")
        case .type(let id, let typed, _):
            let text = typed.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let field = element(id, on: acted), !text.isEmpty, !text.contains("\"") else { return nil }
            let name = field.name.trimmingCharacters(in: .whitespacesAndNewlines)
            let target = name.isEmpty || name.contains("\"") ? "the \(field.role)" : "the \"\(name)\" field"
            return GroundedInstruction(kind: .action, text: "Type \"\(text)\" into \(target).", answer: "")
        default:
            return nil
        }
    }

    /// What the teacher chooses a prefix's label among: its questions when the page it reached states
    /// facts the start page did not, else all its candidates. A question is the most specific thing such a
    /// prefix accomplished, and the kind of task a policy has to learn to answer (most of WebArena's
    /// information-seeking tasks; 25 of the experiment's 27 held-out tasks); offered beside "Open the page
    /// X", which the trajectory's last summary names word for word, the teacher took a question 2 times in 13.
    public static func offered(_ pages: [Page], actionLabels: Bool = false) -> [GroundedInstruction] {
        let all = candidates(pages, actionLabels: actionLabels)
        let questions = all.filter { $0.kind == .fact }
        return questions.isEmpty ? all : questions
    }

    /// A fact's identity across pages: what it is about and what it measures, whatever its value.
    struct FactKey: Hashable {
        var subject: String
        var label: String
        init(_ fact: PageFacts.Fact) {
            subject = fact.subject.lowercased()
            label = fact.label.lowercased()
        }
    }

    /// The values the given pages state for each fact.
    static func earlierValues(_ pages: some Sequence<Page>) -> [FactKey: Set<String>] {
        var values: [FactKey: Set<String>] = [:]
        for page in pages {
            for fact in PageFacts(observation: page.observation).facts { values[FactKey(fact), default: []].insert(fact.value) }
        }
        return values
    }

    /// Whether `text` prints `value` as a value of its own: not inside a longer number or word, nor an
    /// element id ("4" in "[45]", "[4]").
    static func shows(_ text: String, _ value: String) -> Bool {
        var searchRange = text.startIndex..<text.endIndex
        while let found = text.range(of: value, range: searchRange) {
            let before = found.lowerBound > text.startIndex ? text[text.index(before: found.lowerBound)] : " "
            let after = found.upperBound < text.endIndex ? text[found.upperBound] : " "
            let bounded = { (c: Character) in !(c.isLetter || c.isNumber || c == "[" || c == "]") }
            if bounded(before), bounded(after) { return true }
            searchRange = found.upperBound..<text.endIndex
        }
        return false
    }

    /// Whether the click that opened the page `subject` did so as a side effect while the page it was on links to
    /// that page by name: "Submit" redirects a signed-out user to "Log in", and "Open the page "Log in""
    /// demonstrated by clicking Submit beside the header's "Log in" link teaches the wrong element.
    static func reachedAside(_ opener: Page, subject: String) -> Bool {
        let wanted = subject.lowercased()
        guard let clicked = clickedElement(opener), clicked.name.lowercased() != wanted else { return false }
        return CandidateActions.elements(in: opener.observation).contains { $0.role == "link" && $0.name.lowercased() == wanted }
    }

    /// The candidate whose text is `instruction`, when the prefix offers one.
    public static func candidate(for instruction: String, in pages: [Page], actionLabels: Bool = false) -> GroundedInstruction? {
        candidates(pages, actionLabels: actionLabels).first { $0.text == instruction }
    }

    /// "How many subscribers does f/books have?" for a count under a plural label, otherwise
    /// "What is the capital of Drelarea?".
    static func question(_ fact: PageFacts.Fact, onPage page: String = "") -> String {
        let label = fact.label == fact.label.uppercased() ? fact.label : fact.label.lowercased()
        // A title-like subject is quoted so the question still reads as one ("…does "Just finished Beloved" have?").
        let subject = fact.subject.split(separator: " ").count > 3 ? "\"\(fact.subject)\"" : fact.subject
        let isCount = fact.value.allSatisfy { $0.isNumber || $0 == "," } && fact.value.first?.isNumber == true
        if isCount, label.hasSuffix("s"), !label.hasSuffix("ss") {
            // A count of the page's own listing ("155 articles" under "All articles") is asked of the page:
            // "How many articles does All articles have?" reads as no question. ("8 stars" of the project page
            // "ahaddad / solar-calc" is the project's.)
            if !page.isEmpty, fact.subject.lowercased() == page.lowercased(), page.lowercased().contains(label.lowercased()) {
                return "How many \(label) are listed on the page \"\(fact.subject)\"?"
            }
            return "How many \(label) does \(subject) have?"
        }
        // Infobox labels that are verbs, not nouns: "Born", "Died", "Founded", "Known for".
        if label == "died" { return "When did \(subject) die?" }
        if label == "known for" { return "What is \(subject) known for?" }
        if participles.contains(label) { return "When was \(subject) \(label)?" }
        return "What is the \(label) of \(subject)?"
    }

    /// Labels that date an event ("Born: 12 May 1990", "Founded: 1887"), asked as "When was … founded?".
    static let participles: Set<String> = ["born", "founded", "released", "published", "created", "established", "opened",
                                           "updated", "discovered", "completed", "launched", "built", "formed", "joined",
                                           "registered", "submitted", "incorporated"]

    /// The decoded query string of `url`, lowercased ("q=red+rocks" → "q=red rocks"); "" without one.
    static func query(of url: String) -> String {
        guard let query = URLComponents(string: url)?.percentEncodedQuery else { return "" }
        return (query.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? query).lowercased()
    }

    /// The text of the prefix's last `type` into a search field whose Enter loaded another page (or a
    /// searchbox), and the index of the page it was typed on. A search field is a searchbox or a field
    /// named for searching: text typed into a filter form's "Minimum price" that reloads the listing is
    /// no search for it.
    static func lastSearch(_ pages: [Page]) -> (index: Int, query: String)? {
        for index in pages.indices.dropLast().reversed() {
            guard let action = pages[index].action, case .type(let id, let text, _) = ActionParser.parse(action: action),
                  let field = element(id, on: pages[index])
            else { continue }
            let query = text.trimmingCharacters(in: .whitespacesAndNewlines)
            let searchField = field.role == "searchbox" || field.name.lowercased().contains("search")
            if !query.isEmpty, searchField, field.role == "searchbox" || pages[index + 1].url != pages[index].url {
                return (index, query)
            }
        }
        return nil
    }
}

extension GroundedInstructions {
    /// The part of a labeled prefix that demonstrates its grounded instruction: pages `start...end`,
    /// whose actions `start..<end` are the demonstration's steps and whose page `end` is where it stops.
    public struct DemonstrationSpan: Sendable, Hashable {
        public var start: Int
        public var end: Int
        /// The candidate `instruction` is on the span; nil when the prefix does not offer it (then the
        /// span is the whole prefix).
        public var grounded: GroundedInstruction?
    }

    /// Where the demonstration of `instruction` starts and ends in a labeled prefix. A hindsight label
    /// names only what the prefix achieved, and exploration wanders around it ("Electronics, Grocery, back
    /// to the home page, My Account, My Orders, scroll, the colour filter"); steps a student should not
    /// learn as part of the task are cut when the instruction stays a candidate, with the same answer, of
    /// what is left:
    /// - the end is the first page where it is (the goal reached, nothing after it: a scroll and a filter
    ///   click after "Open the page X" arrived are not part of opening X);
    /// - the start is the last return to the start page before that (everything before it is a detour);
    /// - then past the last `type` of a text the instruction does not contain (a search for "gaming" does
    ///   not begin by typing "comments" into the login form);
    /// - then past the last page that already offered the element the last step clicks;
    /// - a search starts on the page it was typed on, or the one whose Search button opened that page.
    public static func demonstration(of instruction: String, in pages: [Page], actionLabels: Bool = false) -> DemonstrationSpan {
        let whole = DemonstrationSpan(start: 0, end: max(pages.count - 1, 0),
                                      grounded: candidate(for: instruction, in: pages, actionLabels: actionLabels))
        guard let target = whole.grounded else { return whole }
        func holds(_ start: Int, _ end: Int) -> GroundedInstruction? {
            guard start < end, let found = candidate(for: instruction, in: Array(pages[start...end]), actionLabels: actionLabels),
                  found.answer == target.answer else { return nil }
            return found
        }
        var span = whole
        if let end = (1..<pages.count).first(where: { holds(0, $0) != nil }) { span.end = end }
        if let origin = pages.first?.url,
           let back = (1..<span.end).last(where: { pages[$0].url == origin }), holds(back, span.end) != nil {
            span.start = back
        }
        let wanted = instruction.lowercased()
        if let junk = (span.start..<span.end).last(where: { index in
               guard let action = pages[index].action, case .type(_, let text, _) = ActionParser.parse(action: action) else { return false }
               let typed = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
               return !typed.isEmpty && !wanted.contains(typed)
           }), holds(junk + 1, span.end) != nil {
            span.start = junk + 1
        }
        // A demonstration never passes by its goal: when a page on the way already offered the element the
        // last step clicks (the header's "Submit" on the front page, before an empty search and the forum
        // list), the steps up to it wandered, and the demonstration starts after the last such page.
        if span.end - 1 > span.start, let goal = clickedElement(pages[span.end - 1]), !goal.name.isEmpty,
           let passed = (span.start..<(span.end - 1)).last(where: { index in
               CandidateActions.elements(in: pages[index].observation).contains { $0.role == goal.role && $0.name == goal.name }
           }), holds(passed + 1, span.end) != nil {
            span.start = passed + 1
        }
        // A search can start from any page (the box is in every page's header): the pages before the one
        // it was typed on, or before the click that opened the search page, are not part of it.
        if target.kind == .search, let typed = (span.start..<span.end).last(where: { isTyping(pages[$0].action) }) {
            let opened = typed > span.start && pages[typed - 1].url != pages[typed].url
                && clicksSearch(pages[typed - 1]) ? typed - 1 : typed
            if opened > span.start, holds(opened, span.end) != nil { span.start = opened }
        }
        span.grounded = holds(span.start, span.end) ?? target
        return span
    }

    static func isTyping(_ action: String?) -> Bool {
        guard let action, case .type = ActionParser.parse(action: action) else { return false }
        return true
    }

    /// The element the page's action clicked; nil for other actions or an id the page does not have.
    static func clickedElement(_ page: Page) -> CandidateActions.Element? {
        guard let action = page.action, case .click(let id) = ActionParser.parse(action: action) else { return nil }
        return element(id, on: page)
    }

    /// The element `[id]` of the page's observation; nil when it has none.
    static func element(_ id: Int, on page: Page) -> CandidateActions.Element? {
        CandidateActions.elements(in: page.observation).first { $0.id == id }
    }

    /// Whether the page's action pressed a Search button. What it opens is no page to name: a search with a
    /// query is typed (with Enter), and the button pressed on its own searches for nothing.
    static func pressesSearchButton(_ page: Page) -> Bool {
        guard let element = clickedElement(page) else { return false }
        return element.role == "button" && element.name.lowercased().contains("search")
    }

    /// Whether the page's action clicked an element named or roled as a search ("Search" button, link).
    static func clicksSearch(_ page: Page) -> Bool {
        guard let element = clickedElement(page) else { return false }
        return "\(element.role) \(element.name)".lowercased().contains("search")
    }

    /// The pages of a recorded prefix: each executed step's page and action, then the page it ended on.
    public static func pages(_ executed: some Sequence<ExploredStep>, endingAt url: String, observation: String) -> [Page] {
        executed.map { Page(url: $0.url, observation: $0.observation, action: $0.action) }
            + [Page(url: url, observation: observation, action: nil)]
    }
}
