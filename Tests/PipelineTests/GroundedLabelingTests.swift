import XCTest
import LanguageModels
import TestSupport
import WebBrowser
@testable import Pipeline

/// Test double: scores each offered choice by the sum of per-byte rates it is given (a choice's
/// log-probability is its rate times its length), as a scoring backend reports whole-answer likelihoods.
private struct RatedChoicesModel: ChatModel {
    let identifier = "test-double:rated-choices"
    let rate: @Sendable (String) -> Double
    func complete(_ request: ChatRequest) async throws -> ChatResponse {
        let choices = request.choices ?? []
        let scores = choices.map { rate($0) * Double($0.utf8.count) }
        let best = scores.indices.max { scores[$0] < scores[$1] } ?? 0
        return ChatResponse(text: choices.isEmpty ? "" : choices[best], finishReason: "choice", choiceLogProbs: scores)
    }
}

/// Grounded labels for a weak teacher: facts read from observations, hindsight instructions, observed changes.
/// The observations are the bundled sites' pages as `nnetnav observe` prints them (shortened).
final class GroundedLabelingTests: XCTestCase {
    static let wikiStart = """
    Tab 0 (current): Main page - Kiwix Encyclopedia

    [1] RootWebArea 'Main page - Kiwix Encyclopedia' focused: True
    \t[11] navigation 'Site'
    \t\t[12] link 'Main page'
    \t\t[21] search ''
    \t\t\t[25] searchbox 'Search the encyclopedia' required: False
    \t\t\t[26] button 'Search'
    \t[29] main ''
    \t\t[30] heading 'Welcome to the Kiwix Encyclopedia'
    \t\t[36] region 'Featured article: Drelarea'
    \t\t\t[40] StaticText 'Drelarea is a country in Meridia with a population of about 17,320,000.'
    \t\t[45] region 'Browse by topic'
    \t\t\t[46] heading 'Browse by topic'
    \t\t\t[50] link 'Cities'
    \t\t\t[52] StaticText '(60 articles)'
    \t\t\t[54] link 'Countries'
    \t\t\t[56] StaticText '(20 articles)'
    """

    static let wikiArticle = """
    Tab 0 (current): Drelarea - Kiwix Encyclopedia

    [1] RootWebArea 'Drelarea - Kiwix Encyclopedia' focused: True
    \t[11] navigation 'Site'
    \t\t[12] link 'Main page'
    \t[29] main ''
    \t\t[30] article ''
    \t\t\t[31] heading 'Drelarea'
    \t\t\t[34] table 'Drelarea'
    \t\t\t\t[38] row 'Capital Belas Bay'
    \t\t\t\t\t[39] rowheader 'Capital'
    \t\t\t\t\t[41] cell 'Belas Bay'
    \t\t\t\t[48] row 'Population 17,320,000'
    \t\t\t\t\t[49] rowheader 'Population'
    \t\t\t\t\t[51] cell '17,320,000'
    \t\t\t\t[58] row 'Currency Drelarea dinar'
    \t\t\t\t\t[59] rowheader 'Currency'
    \t\t\t\t\t[61] cell 'Drelarea dinar'
    """

    static let forumList = """
    Tab 0 (current): Forums - Postmill

    [1] RootWebArea 'Forums - Postmill' focused: True
    \t[11] navigation 'Site'
    \t\t[15] link 'Forums'
    \t[32] main ''
    \t\t[33] heading 'Forums'
    \t\t[35] table '16 forums'
    \t\t\t[40] row 'Forum Description Subscribers Posts'
    \t\t\t\t[41] columnheader 'Forum'
    \t\t\t\t[43] columnheader 'Description'
    \t\t\t\t[45] columnheader 'Subscribers'
    \t\t\t\t[48] columnheader 'Posts'
    \t\t\t[53] row 'f/books Talk about novels. 19 30'
    \t\t\t\t[54] cell 'f/books'
    \t\t\t\t\t[55] link 'f/books'
    \t\t\t\t[58] cell 'Talk about novels.'
    \t\t\t\t[60] cell '19'
    \t\t\t\t[63] cell '30'
    \t\t\t[66] row 'f/Boston Everything about Boston. 28 29'
    \t\t\t\t[67] cell 'f/Boston'
    \t\t\t\t\t[68] link 'f/Boston'
    \t\t\t\t[71] cell 'Everything about Boston.'
    \t\t\t\t[73] cell '28'
    \t\t\t\t[76] cell '29'
    """

    /// The forum list's facts under another page's title: a page reached that states nothing new.
    static let booksListing = forumList.replacingOccurrences(of: "'Forums - Postmill'", with: "'f/books - Postmill'")
        .replacingOccurrences(of: "(current): Forums - Postmill", with: "(current): f/books - Postmill")

    static let product = """
    Tab 0 (current): Hearthwell Compact Enamel Saucepan | One Stop Market

    [1] RootWebArea 'Hearthwell Compact Enamel Saucepan | One Stop Market' focused: True
    \t[27] search ''
    \t\t[28] LabelText 'Search entire store here'
    \t[63] main ''
    \t\t[64] heading 'Hearthwell Compact Enamel Saucepan'
    \t\t[74] region 'Product details'
    \t\t\t[76] StaticText 'Price: $166.99'
    \t\t\t[81] StaticText 'Brand: Hearthwell'
    \t\t\t[88] form 'Add to cart'
    \t\t\t\t[91] StaticText 'Color: Red'
    \t\t[130] StaticText "You're reviewing: Hearthwell Compact Enamel Saucepan"
    """

    static let forumPosts = """
    Tab 0 (current): f/books - Postmill

    [1] RootWebArea 'f/books - Postmill' focused: True
    \t[32] main ''
    \t\t[33] heading 'Books'
    \t\t[39] StaticText '19 subscribers'
    \t\t[60] article ''
    \t\t\t[61] heading 'Just finished Beloved and I have thoughts'
    \t\t\t\t[62] link 'Just finished Beloved and I have thoughts'
    \t\t\t[69] StaticText '13 points · submitted by'
    \t\t\t[70] link 'humble_canyon'
    \t\t\t[78] StaticText '·'
    \t\t\t[79] link '4 comments'
    """

    func facts(_ text: String) -> [String] {
        PageFacts(observation: text).facts.map { "\($0.subject) | \($0.label) | \($0.value)" }
    }

    func testFactsFromRowHeadersColumnTablesLabelsAndCounts() {
        XCTAssertEqual(facts(Self.wikiArticle), ["Drelarea | Capital | Belas Bay", "Drelarea | Population | 17,320,000",
                                                 "Drelarea | Currency | Drelarea dinar"])
        XCTAssertEqual(facts(Self.forumList), ["f/books | Description | Talk about novels.", "f/books | Subscribers | 19",
                                               "f/books | Posts | 30", "f/Boston | Description | Everything about Boston.",
                                               "f/Boston | Subscribers | 28", "f/Boston | Posts | 29"])
        // Form fields and sentences with a colon are not facts; the subject is the main heading, not the title.
        XCTAssertEqual(facts(Self.product), ["Hearthwell Compact Enamel Saucepan | Price | $166.99",
                                             "Hearthwell Compact Enamel Saucepan | Brand | Hearthwell"])
        // A count belongs to the link just before it, else to the last heading.
        XCTAssertEqual(facts(Self.wikiStart), ["Cities | articles | 60", "Countries | articles | 20"])
        XCTAssertEqual(facts(Self.forumPosts), ["Books | subscribers | 19", "Just finished Beloved and I have thoughts | points | 13",
                                                "Just finished Beloved and I have thoughts | comments | 4"])
        XCTAssertEqual(PageFacts(observation: Self.product).subject, "Hearthwell Compact Enamel Saucepan")
        XCTAssertEqual(PageFacts.subject(ofTitle: "Drelarea - Kiwix Encyclopedia"), "Drelarea")
        XCTAssertEqual(PageFacts(observation: Self.wikiStart).subject, "Main page", "a welcome banner is not the page's name")
        // Scrolled down the listing, the first heading in view is a post's: the page is still f/books.
        let scrolled = Self.forumPosts.replacingOccurrences(of: "\t\t[33] heading 'Books'\n", with: "")
        XCTAssertEqual(PageFacts(observation: Self.forumPosts).subject, "f/books")
        XCTAssertEqual(PageFacts(observation: scrolled).subject, "f/books")
    }

    func testCandidatesAreTrueOfThePrefixAndNewToIt() {
        let pages = [
            GroundedInstructions.Page(url: "http://wiki/", observation: Self.wikiStart, action: "type [25] [Drelarea] [1]"),
            GroundedInstructions.Page(url: "http://wiki/wiki/Drelarea", observation: Self.wikiArticle, action: nil),
        ]
        let candidates = GroundedInstructions.candidates(pages)
        XCTAssertEqual(candidates.map(\.text), [
            "What is the capital of Drelarea?",
            // The population was on the start page already: no trajectory was needed to answer it.
            "What is the currency of Drelarea?",
            "Search for \"Drelarea\".",
            "Open the page \"Drelarea\".",
        ])
        XCTAssertEqual(candidates.map(\.answer), ["Belas Bay", "Drelarea dinar", "", ""])
        XCTAssertEqual(GroundedInstructions.candidate(for: "What is the currency of Drelarea?", in: pages)?.answer, "Drelarea dinar")
        XCTAssertNil(GroundedInstructions.candidate(for: "Buy a kettle", in: pages))
        XCTAssertTrue(GroundedInstructions.candidates(Array(pages.prefix(1))).isEmpty, "a prefix without actions accomplished nothing")

        let forum = [
            GroundedInstructions.Page(url: "http://forum/", observation: Self.forumList, action: "click [55]"),
            GroundedInstructions.Page(url: "http://forum/f/books", observation: Self.forumPosts, action: nil),
        ]
        // "19 subscribers" was in the start page's table (and "4" inside "[45]" is no value).
        XCTAssertEqual(GroundedInstructions.candidates(forum).map(\.text), [
            "How many points does \"Just finished Beloved and I have thoughts\" have?",
            "How many comments does \"Just finished Beloved and I have thoughts\" have?",
            "Open the page \"f/books\".",
        ])
        XCTAssertEqual(GroundedInstructions.question(.init(label: "Subscribers", value: "19", subject: "f/books")),
                       "How many subscribers does f/books have?")
        XCTAssertEqual(GroundedInstructions.question(.init(label: "SKU", value: "HK-1005", subject: "Saucepan")),
                       "What is the SKU of Saucepan?")
        // Labels that are verbs read as the question a person would ask.
        XCTAssertEqual(GroundedInstructions.question(.init(label: "Born", value: "1841", subject: "Greta Sefunder")),
                       "When was Greta Sefunder born?")
        XCTAssertEqual(GroundedInstructions.question(.init(label: "Died", value: "1902", subject: "Greta Sefunder")),
                       "When did Greta Sefunder die?")
        XCTAssertEqual(GroundedInstructions.question(.init(label: "Known for", value: "tides", subject: "Greta Sefunder")),
                       "What is Greta Sefunder known for?")
        XCTAssertEqual(GroundedInstructions.question(.init(label: "Speed", value: "fast", subject: "Kettle")),
                       "What is the speed of Kettle?")
        // The teacher chooses among the questions when the reached page states new facts, else among all.
        XCTAssertEqual(GroundedInstructions.offered(pages).map(\.kind), [.fact, .fact])
        XCTAssertEqual(GroundedInstructions.offered([forum[0], page("http://forum/f/books", Self.booksListing, nil)]).map(\.kind),
                       [.navigation], "the start page already showed every fact of this one")
    }

    func testDemonstrationStartsAtTheLastReturnToTheStartPage() {
        let home = GroundedInstructions.Page(url: "http://wiki/", observation: Self.wikiStart, action: "click [50]")
        let pages = [
            home,
            GroundedInstructions.Page(url: "http://wiki/cities", observation: Self.forumList, action: "click [12]"),
            GroundedInstructions.Page(url: "http://wiki/", observation: Self.wikiStart, action: "type [25] [Drelarea] [1]"),
            GroundedInstructions.Page(url: "http://wiki/wiki/Drelarea", observation: Self.wikiArticle, action: nil),
        ]
        XCTAssertEqual(GroundedInstructions.demonstration(of: "What is the capital of Drelarea?", in: pages).start, 2,
                       "the detour through the city list is not part of the demonstration")
        XCTAssertEqual(GroundedInstructions.demonstration(of: "Search for \"Drelarea\".", in: pages).start, 2)
        XCTAssertEqual(GroundedInstructions.demonstration(of: "What is the capital of Drelarea?", in: pages).grounded?.answer, "Belas Bay")
        XCTAssertNil(GroundedInstructions.demonstration(of: "Buy a kettle", in: pages).grounded)
        // A label only the whole prefix accomplished keeps the whole prefix.
        let searchFirst = [GroundedInstructions.Page(url: "http://wiki/", observation: Self.wikiStart, action: "type [25] [Drelarea] [1]"),
                           GroundedInstructions.Page(url: "http://wiki/search", observation: Self.forumList, action: "click [12]"),
                           GroundedInstructions.Page(url: "http://wiki/", observation: Self.wikiStart, action: "click [50]"),
                           GroundedInstructions.Page(url: "http://wiki/wiki/Drelarea", observation: Self.wikiArticle, action: nil)]
        XCTAssertEqual(GroundedInstructions.demonstration(of: "Search for \"Drelarea\".", in: searchFirst).start, 0)
        XCTAssertEqual(GroundedInstructions.demonstration(of: "What is the capital of Drelarea?", in: searchFirst).start, 2)
        XCTAssertEqual(GroundedInstructions.demonstration(of: "What is the capital of Drelarea?", in: [home, pages[3]]).start, 0)
    }

    func page(_ url: String, _ observation: String, _ action: String?) -> GroundedInstructions.Page {
        GroundedInstructions.Page(url: url, observation: observation, action: action)
    }

    func testDemonstrationStopsWhereItsGoalWasFirstReached() {
        let article = page("http://wiki/wiki/Drelarea", Self.wikiArticle, "scroll [down]")
        let pages = [
            page("http://wiki/", Self.wikiStart, "type [25] [Drelarea] [1]"),
            article,
            page("http://wiki/wiki/Drelarea", Self.wikiArticle, "click [12]"),
            page("http://wiki/wiki/Drelarea?lang=en", Self.wikiArticle, nil),
        ]
        // The scroll and the click after the article opened are not part of opening it or reading its capital.
        for instruction in ["Open the page \"Drelarea\".", "What is the capital of Drelarea?", "Search for \"Drelarea\"."] {
            let span = GroundedInstructions.demonstration(of: instruction, in: pages)
            XCTAssertEqual([span.start, span.end], [0, 1], instruction)
        }
        XCTAssertEqual(GroundedInstructions.demonstration(of: "What is the capital of Drelarea?", in: pages).grounded?.answer, "Belas Bay")
        // A label no part of the prefix offers keeps the whole prefix, ungrounded.
        let unknown = GroundedInstructions.demonstration(of: "Buy a kettle", in: pages)
        XCTAssertEqual([unknown.start, unknown.end], [0, 3])
        XCTAssertNil(unknown.grounded)
    }

    func testDemonstrationStartsAfterTypingTheInstructionDoesNotAskFor() {
        let login = page("http://wiki/login", Self.wikiStart, "type [25] [comments] [1]")
        let pages = [
            page("http://wiki/", Self.wikiStart, "click [12]"),
            login,
            page("http://wiki/login?failed", Self.wikiStart, "type [25] [drelarea] [1]"),
            page("http://wiki/wiki/Drelarea", Self.wikiArticle, nil),
        ]
        let search = GroundedInstructions.demonstration(of: "Search for \"drelarea\".", in: pages)
        XCTAssertEqual([search.start, search.end], [2, 3], "typing 'comments' into the login form is no part of the search")
        // Typing the instruction's own words stays: the capital was reached through that search.
        let capital = GroundedInstructions.demonstration(of: "What is the capital of Drelarea?", in: pages)
        XCTAssertEqual([capital.start, capital.end], [2, 3])
        let throughSearch = [
            page("http://wiki/", Self.wikiStart, "type [25] [Drelarea] [1]"),
            page("http://wiki/search?pattern=Drelarea", Self.forumList, "click [55]"),
            pages[3],
        ]
        XCTAssertEqual(GroundedInstructions.demonstration(of: "What is the capital of Drelarea?", in: throughSearch).start, 0,
                       "typing the instruction's subject is part of reaching it")
    }

    func testASearchStartsWhereTheSearchBegan() {
        let searchPage = GroundedInstructions.Page(url: "http://wiki/search?pattern=", observation: Self.wikiStart,
                                                   action: "type [25] [climate] [1]")
        let pages = [
            page("http://wiki/", Self.wikiStart, "click [50]"),
            page("http://wiki/cities", Self.forumList, "click [55]"),
            page("http://wiki/wiki/Drelarea", Self.wikiStart, "click [26]"),
            searchPage,
            page("http://wiki/search?pattern=climate", Self.forumList, nil),
        ]
        // The wandering through Cities and Drelarea is no part of searching; the click on Search opened the search page.
        let span = GroundedInstructions.demonstration(of: "Search for \"climate\".", in: pages)
        XCTAssertEqual([span.start, span.end], [2, 4])
        // Typed straight into the header's box: the search is that one step.
        var typedInPlace = pages
        typedInPlace[2].action = "click [12]"
        typedInPlace[3].url = "http://wiki/main"
        XCTAssertEqual(GroundedInstructions.demonstration(of: "Search for \"climate\".", in: typedInPlace).start, 3)
        // A question answered on a page reached by other means keeps its path.
        XCTAssertEqual(GroundedInstructions.demonstration(of: "What is the capital of Drelarea?", in: [pages[0], pages[1], page("http://wiki/wiki/Drelarea", Self.wikiArticle, nil)]).start, 0)
    }

    func testTheTeacherChoosesAQuestionByItsPerByteRateWhenThePageStatesNewFacts() async throws {
        // Per byte the page's name is the most likely, then the currency question, then the capital one.
        let model = RatedChoicesModel { choice in
            choice.contains("Open the page") ? -0.5 : choice.contains("currency") ? -1.0 : -1.2
        }
        var config = ExplorationConfig()
        config.moduleTemperature = 0
        let modules = NNetnavModules(model: model, prompts: CrawlFixtures.prompts, config: config) { _ in }
        let pages = [page("http://wiki/", Self.wikiStart, "type [25] [Drelarea] [1]"), page("http://wiki/wiki/Drelarea", Self.wikiArticle, nil)]
        let (label, raw) = try await modules.groundedLabel(pages: pages, summaries: ["type [25] [Drelarea] [1]: this opened the page."],
                                                           step: 1, seed: 7)
        XCTAssertEqual(label, .instruction("What is the currency of Drelarea?"), "only the questions are offered, the best rate wins")
        XCTAssertTrue(raw.hasPrefix("Instruction: What is the currency of Drelarea?\n\nChosen among"), raw)
        XCTAssertTrue(raw.contains("- [fact] What is the capital of Drelarea?"), raw)
        XCTAssertFalse(raw.contains("[navigation]"), raw)
        // A page with no new facts: the navigation and search labels are offered.
        let listing = [page("http://forum/", Self.forumList, "click [55]"), page("http://forum/f/books", Self.booksListing, nil)]
        let (navigation, _) = try await modules.groundedLabel(pages: listing, summaries: ["click [55]"], step: 1, seed: 7)
        XCTAssertEqual(navigation, .instruction("Open the page \"f/books\"."))
    }

    /// A Postmill page as `nnetnav observe` prints it: the site header's elements (none: no header), then the
    /// main content under a heading (the title unless given).
    static func postmill(_ title: String, heading: String? = nil, header: [String] = [], main: [String] = []) -> String {
        var lines = ["Tab 0 (current): \(title) - Postmill", "", "[1] RootWebArea '\(title) - Postmill' focused: True"]
        if !header.isEmpty { lines += ["\t[11] navigation 'Site'"] + header.map { "\t\t" + $0 } }
        lines += ["\t[32] main ''", "\t\t[33] heading '\(heading ?? title)'"] + main.map { "\t\t" + $0 }
        return lines.joined(separator: "\n")
    }

    static let signedOutHeader = ["[15] link 'Forums'", "[17] link 'Log in'", "[18] link 'Submit'"]

    static func bostonForum(subscribers: Int, header: [String] = signedOutHeader) -> String {
        postmill("f/Boston", heading: "Boston", header: header,
                 main: ["[39] StaticText '\(subscribers) subscribers'", "[47] button 'Subscribe'"])
    }

    func testAQuestionAboutAValueTheTrajectoryChangedIsNotAsked() {
        let front = Self.postmill("Front page", header: Self.signedOutHeader, main: ["[39] StaticText 'Welcome'", "[47] link 'f/Boston'"])
        let pages = [
            page("http://forum/", front, "click [47]"),
            page("http://forum/f/Boston", Self.bostonForum(subscribers: 28), "click [47]"),
            page("http://forum/f/Boston", Self.bostonForum(subscribers: 29), nil),
        ]
        // Read before the click, the count is a fact the trajectory found, with the value it found.
        let read = GroundedInstructions.candidates(Array(pages.prefix(2)))
        XCTAssertEqual(read.first { $0.kind == .fact }?.text, "How many subscribers does Boston have?")
        XCTAssertEqual(read.first { $0.kind == .fact }?.answer, "28")
        // After its own Subscribe click the page says 29: asking for it would teach subscribing to count.
        let changed = GroundedInstructions.candidates(pages)
        XCTAssertFalse(changed.contains { $0.kind == .fact }, "\(changed.map(\.text))")
        // So a demonstration of the question ends where it was read, with the value read there.
        let span = GroundedInstructions.demonstration(of: "How many subscribers does Boston have?", in: Array(pages.prefix(2)))
        XCTAssertEqual([span.start, span.end], [0, 1])
        XCTAssertEqual(span.grounded?.answer, "28")
        XCTAssertNil(GroundedInstructions.demonstration(of: "How many subscribers does Boston have?", in: pages).grounded)
    }

    func testAPageOpenedAsASideEffectOfAnotherLinkIsNotOpenedByIt() {
        let login = Self.postmill("Log in")
        let boston = Self.bostonForum(subscribers: 28)
        // Submit redirected to the sign-in page while the header linked "Log in" by name.
        let redirected = GroundedInstructions.candidates([page("http://forum/f/Boston", boston, "click [18]"),
                                                          page("http://forum/login?next=%2Fsubmit", login, nil)])
        XCTAssertFalse(redirected.contains { $0.kind == .navigation }, "\(redirected.map(\.text))")
        let direct = GroundedInstructions.candidates([page("http://forum/f/Boston", boston, "click [17]"),
                                                      page("http://forum/login", login, nil)])
        XCTAssertEqual(direct.map(\.text), ["Open the page \"Log in\"."])
        // A page no link on the way names (a product reached from its picture, "Home" to the store's welcome)
        // is opened by whatever was clicked.
        let noLoginLink = Self.bostonForum(subscribers: 28, header: ["[15] link 'Forums'", "[18] link 'Submit'"])
        let unnamed = GroundedInstructions.candidates([page("http://forum/f/Boston", noLoginLink, "click [18]"),
                                                       page("http://forum/login?next=%2Fsubmit", login, nil)])
        XCTAssertEqual(unnamed.map(\.text), ["Open the page \"Log in\"."])
    }

    func testAnEmptySearchOpensNoPageAndAListingsCountIsAskedOfThePage() {
        let searchPage = """
        Tab 0 (current): Search - Kiwix Encyclopedia

        [1] RootWebArea 'Search - Kiwix Encyclopedia' focused: True
        \t[29] main ''
        \t\t[30] heading 'Search'
        """
        // The header's Search button with nothing typed: "Open the page "Search"" names no search.
        XCTAssertEqual(GroundedInstructions.candidates([page("http://wiki/", Self.wikiStart, "click [26]"),
                                                        page("http://wiki/search?pattern=", searchPage, nil)]).map(\.text), [])
        // Nor does a scroll on it afterwards make it one.
        XCTAssertEqual(GroundedInstructions.candidates([page("http://wiki/", Self.wikiStart, "click [26]"),
                                                        page("http://wiki/search?pattern=", searchPage, "scroll [down]"),
                                                        page("http://wiki/search?pattern=", searchPage, nil)]).map(\.text), [])
        let allArticles = """
        Tab 0 (current): All articles - Kiwix Encyclopedia

        [1] RootWebArea 'All articles - Kiwix Encyclopedia' focused: True
        \t[29] main ''
        \t\t[30] heading 'All articles'
        \t\t[31] StaticText '155 articles'
        """
        let counted = GroundedInstructions.candidates([page("http://wiki/", Self.wikiStart, "click [12]"),
                                                       page("http://wiki/articles", allArticles, nil)])
        XCTAssertEqual(counted.first?.text, "How many articles are listed on the page \"All articles\"?")
        XCTAssertEqual(counted.first?.answer, "155")
        XCTAssertEqual(GroundedInstructions.question(.init(label: "stars", value: "8", subject: "ahaddad / solar-calc"),
                                                     onPage: "ahaddad / solar-calc"),
                       "How many stars does ahaddad / solar-calc have?", "a project's stars are the project's")
    }

    /// A forum page whose header links Forums and Submit and has a Search button.
    static func forumPage(_ title: String, main: [String] = []) -> String {
        postmill(title, header: ["[15] link 'Forums'", "[18] link 'Submit'", "[26] button 'Search'"], main: main)
    }

    /// The header's Submit link was on every page: the empty search and the forum list were a detour.
    static let submitDetour = [
        GroundedInstructions.Page(url: "http://forum/", observation: forumPage("Front page"), action: "click [26]"),
        GroundedInstructions.Page(url: "http://forum/search?q=", observation: forumPage("Search"), action: "click [15]"),
        GroundedInstructions.Page(url: "http://forum/forums", observation: forumPage("Forums"), action: "click [18]"),
        GroundedInstructions.Page(url: "http://forum/submit", observation: forumPage("Submit"), action: nil),
    ]

    func testADemonstrationDoesNotPassByItsGoal() {
        let span = GroundedInstructions.demonstration(of: "Open the page \"Submit\".", in: Self.submitDetour)
        XCTAssertEqual([span.start, span.end], [2, 3])
        // A link first offered on the way is reached through the steps before it.
        let deep = [
            page("http://forum/", Self.forumPage("Front page"), "click [15]"),
            page("http://forum/forums", Self.forumPage("Forums", main: ["[55] link 'f/books'"]), "click [55]"),
            page("http://forum/f/books", Self.forumPage("f/books"), nil),
        ]
        let books = GroundedInstructions.demonstration(of: "Open the page \"f/books\".", in: deep)
        XCTAssertEqual([books.start, books.end], [0, 2])
    }

    /// The builder keeps the span's steps, or with `trimDetours` off NNetnav's prefix from the episode's first step.
    func testTrimDetoursOffKeepsThePrefixFromTheEpisodeStart() async throws {
        let steps = Self.submitDetour.enumerated().map { index, page in
            ExploredStep(index: index, url: page.url, observation: page.observation, action: page.action)
        }
        let checkpoint = Checkpoint(depth: 3, instruction: "Open the page \"Submit\".", rawLabel: "", score: 5, rawJudge: nil,
                                    decision: .accept)
        let outcome = EpisodeOutcome(steps: steps, checkpoints: [checkpoint], stopReason: .maxActions, stopDetail: "")
        let plan = EpisodePlan(index: 0, site: "forum", persona: Persona(name: "reader", description: "reads"))
        for (trim, expected) in [(true, ["click [18]"]), (false, ["click [26]", "click [15]", "click [18]"])] {
            var config = ExplorationConfig()
            config.groundedLabels = true
            config.rationaleAttempts = 0
            config.trimDetours = trim
            let model = RatedChoicesModel { _ in 0 }
            let builder = DemonstrationBuilder(modules: NNetnavModules(model: model, prompts: CrawlFixtures.prompts, config: config) { _ in },
                                               registry: InstructionRegistry(nearDuplicateJaccard: nil))
            let demos = try await builder.build(plan: plan, outcome: outcome).demos
            XCTAssertEqual(demos.map { $0.steps.map(\.action) }, [expected], "trimDetours \(trim)")
            XCTAssertEqual(demos.first?.stopAction, "stop []")
            XCTAssertEqual(demos.first?.finalURL, "http://forum/submit")
        }
    }

    func testASearchsResultsPageIsNotAlsoAPageToOpen() {
        let typed = page("http://forum/", Self.wikiStart, "type [25] [red rocks] [1]")
        let results = GroundedInstructions.candidates([typed, page("http://forum/search?q=Red+Rocks", Self.forumPosts, nil)])
        XCTAssertFalse(results.contains { $0.kind == .navigation }, "\(results.map(\.text))")
        XCTAssertTrue(results.contains { $0.text == "Search for \"red rocks\"." })
        // Opened from the results, a post is a page of its own.
        let onward = GroundedInstructions.candidates([typed, page("http://forum/search?q=Red+Rocks", Self.forumList, "click [55]"),
                                                      page("http://forum/f/books", Self.forumPosts, nil)])
        XCTAssertTrue(onward.contains { $0.text == "Open the page \"f/books\"." })
        XCTAssertEqual(GroundedInstructions.query(of: "http://wiki/search?pattern=Red%20Rocks&x=1"), "pattern=red rocks&x=1")
        // Typing into a filter form's price field that reloads the listing is no search.
        let filter = page("http://shop/category/electronics", "[1] RootWebArea 'Electronics'\n\t[128] textbox 'Minimum price' required: False",
                          "type [128] [products] [1]")
        XCTAssertFalse(GroundedInstructions.candidates([filter, page("http://shop/category/electronics?min_price=products", Self.product, nil)])
            .contains { $0.kind == .search })
    }

    func testObservedChangeSaysWhereTheActionLed() {
        XCTAssertEqual(ObservedChange.describe(action: "click [50] where [50] is link 'Cities'", beforeURL: "http://wiki/",
                                               beforeText: Self.wikiStart, afterURL: "http://wiki/wiki/Drelarea",
                                               afterText: Self.wikiArticle, error: nil),
                       "click [50] where [50] is link 'Cities': this opened the page 'Drelarea - Kiwix Encyclopedia' (http://wiki/wiki/Drelarea).")
        XCTAssertEqual(ObservedChange.describe(action: "scroll [down]", beforeURL: "u", beforeText: Self.wikiStart,
                                               afterURL: "u", afterText: Self.wikiStart + "\n\t[60] link 'More'", error: nil),
                       "scroll [down]: more of the page 'Main page - Kiwix Encyclopedia' came into view.")
        XCTAssertEqual(ObservedChange.describe(action: "click [9]", beforeURL: "u", beforeText: Self.wikiStart,
                                               afterURL: "u", afterText: Self.wikiStart, error: "no element [9]"),
                       "click [9]: it failed (no element [9]); the page stayed the same.")
    }
}

/// Action labels: a prefix on a page that acts in place (MiniWoB++) is labeled by its last step.
final class ActionLabelTests: XCTestCase {
    static let buttons = """
        Tab 0 (current): Click Button Task

        \t[61] StaticText 'Click on the "No" button.'
        \t[54] button 'No'
        \t[56] button 'next'
        \t[57] textbox 'Username' required: False
        \t[60] generic 'Darsey Arcu tempus.' clickable: True
        \t[62] img '' clickable: True
        """
    static let after = buttons.replacingOccurrences(of: "[61] StaticText 'Click on the \"No\" button.'", with: "[61] StaticText 'Done'")
    let url = "miniwob://click-button?seed=1000"

    func labels(_ action: String, after: String = after, actionLabels: Bool = true) -> [String] {
        GroundedInstructions.candidates([.init(url: url, observation: Self.buttons, action: action),
                                         .init(url: url, observation: after, action: nil)], actionLabels: actionLabels).map(\.text)
    }

    func testTheLastStepIsTheLabelOnlyWhenAskedAndWhenItChangedThePage() {
        XCTAssertEqual(labels("click [54]"), ["Click the button \"No\"."])
        XCTAssertEqual(labels("click [60]"), ["Click \"Darsey Arcu tempus.\"."], "a script-driven row is named by its text")
        XCTAssertEqual(labels("type [57] [kasie] [0]"), ["Type \"kasie\" into the \"Username\" field."])
        XCTAssertEqual(labels("click [62]"), [], "an unnamed element gives no instruction a reader could follow")
        XCTAssertEqual(labels("click [54]", after: Self.buttons), [], "a click that changed nothing accomplished nothing")
        XCTAssertEqual(labels("click [54]", actionLabels: false), [], "sites keep pruning such prefixes")
        XCTAssertEqual(labels("scroll [down]"), [])
        let span = GroundedInstructions.demonstration(
            of: "Click the button \"No\".",
            in: [.init(url: url, observation: Self.buttons, action: "type [57] [kasie] [0]"),
                 .init(url: url, observation: Self.after.replacingOccurrences(of: "Done", with: "Typed"), action: "click [54]"),
                 .init(url: url, observation: Self.after, action: nil)], actionLabels: true)
        XCTAssertEqual(span.start, 1, "the typing before the click is not part of clicking No")
        XCTAssertEqual(span.grounded?.kind, .action)
    }
}
