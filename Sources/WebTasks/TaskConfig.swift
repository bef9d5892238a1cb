import Foundation
import NNetnavSupport

/// One task in WebArena's config format, plus this project's extensions (`login`, `difficulty`,
/// `eval.db_checks`, `solution`). See environments/README.md, "Task format".
public struct TaskConfig: Codable, Sendable, Hashable {
    public var taskID: Int
    public var sites: [String]
    public var intent: String
    public var startURL: String
    public var requireLogin: Bool
    /// WebArena's cookie file; unused here (see `login`).
    public var storageState: String?
    /// The account the harness signs in as before the task: an email (shop) or a username (admin).
    public var login: String?
    public var requireReset: Bool?
    public var intentTemplate: String?
    public var intentTemplateID: Int?
    /// Rough number of browser actions an expert needs (1 ... 10+).
    public var difficulty: Int
    public var eval: EvalSpec
    /// A scripted expert solution, run by `ScriptedSolver` in the tests.
    public var solution: [SolutionStep]

    enum CodingKeys: String, CodingKey {
        case taskID = "task_id", sites, intent, startURL = "start_url", requireLogin = "require_login"
        case storageState = "storage_state", login, requireReset = "require_reset"
        case intentTemplate = "intent_template", intentTemplateID = "intent_template_id"
        case difficulty, eval, solution
    }

    public init(taskID: Int, sites: [String], intent: String, startURL: String, requireLogin: Bool, login: String? = nil,
                difficulty: Int, eval: EvalSpec, solution: [SolutionStep]) {
        self.taskID = taskID
        self.sites = sites
        self.intent = intent
        self.startURL = startURL
        self.requireLogin = requireLogin
        self.login = login
        self.difficulty = difficulty
        self.eval = eval
        self.solution = solution
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        taskID = try c.decode(Int.self, forKey: .taskID)
        sites = try c.decode([String].self, forKey: .sites)
        intent = try c.decode(String.self, forKey: .intent)
        startURL = try c.decode(String.self, forKey: .startURL)
        requireLogin = try c.decodeIfPresent(Bool.self, forKey: .requireLogin) ?? false
        storageState = try c.decodeIfPresent(String.self, forKey: .storageState)
        login = try c.decodeIfPresent(String.self, forKey: .login)
        requireReset = try c.decodeIfPresent(Bool.self, forKey: .requireReset)
        intentTemplate = try c.decodeIfPresent(String.self, forKey: .intentTemplate)
        intentTemplateID = try c.decodeIfPresent(Int.self, forKey: .intentTemplateID)
        difficulty = try c.decodeIfPresent(Int.self, forKey: .difficulty) ?? 1
        eval = try c.decode(EvalSpec.self, forKey: .eval)
        solution = try c.decodeIfPresent([SolutionStep].self, forKey: .solution) ?? []
    }

    /// A copy with every `__SITE__` placeholder replaced by its base URL.
    public func substituting(_ baseURLs: [String: String]) -> TaskConfig {
        var copy = self
        let sub = { (s: String) in TaskConfig.substitute(s, baseURLs) }
        copy.startURL = sub(startURL)
        copy.eval = eval.substituting(sub)
        copy.solution = solution.map { $0.substituting(sub) }
        return copy
    }

    static func substitute(_ text: String, _ baseURLs: [String: String]) -> String {
        var out = text
        for (placeholder, url) in baseURLs where out.contains(placeholder) {
            out = out.replacingOccurrences(of: placeholder, with: url)
        }
        return out
    }
}

/// WebArena's `eval` block; `db_checks` is this project's re-expression of state checks.
public struct EvalSpec: Codable, Sendable, Hashable {
    public var evalTypes: [EvalType]
    public var referenceAnswers: ReferenceAnswers?
    public var referenceURL: String?
    public var urlNote: String?
    public var stringNote: String?
    public var programHTML: [ProgramHTMLCheck]?
    public var dbChecks: [DatabaseCheckSpec]?

    public enum EvalType: String, Codable, Sendable, Hashable {
        case stringMatch = "string_match", urlMatch = "url_match", programHTML = "program_html", dbCheck = "db_check"
    }

    enum CodingKeys: String, CodingKey {
        case evalTypes = "eval_types", referenceAnswers = "reference_answers", referenceURL = "reference_url"
        case urlNote = "url_note", stringNote = "string_note", programHTML = "program_html", dbChecks = "db_checks"
    }

    public init(evalTypes: [EvalType], referenceAnswers: ReferenceAnswers? = nil, referenceURL: String? = nil,
                urlNote: String? = nil, programHTML: [ProgramHTMLCheck]? = nil, dbChecks: [DatabaseCheckSpec]? = nil) {
        self.evalTypes = evalTypes
        self.referenceAnswers = referenceAnswers
        self.referenceURL = referenceURL
        self.urlNote = urlNote
        self.programHTML = programHTML
        self.dbChecks = dbChecks
    }

    func substituting(_ sub: (String) -> String) -> EvalSpec {
        var copy = self
        copy.referenceURL = referenceURL.map(sub)
        copy.referenceAnswers = referenceAnswers.map { answers in
            var a = answers
            a.exactMatch = answers.exactMatch.map(sub)
            a.mustInclude = answers.mustInclude?.map(sub)
            if case .answers(let list) = answers.fuzzyMatch { a.fuzzyMatch = .answers(list.map(sub)) }
            return a
        }
        // WebArena's required contents name site URLs too (`__GITLAB__/byteblaze/cloud-to-butt`).
        copy.programHTML = programHTML?.map { check in
            var c = check
            c.url = sub(check.url)
            c.requiredContents.exactMatch = check.requiredContents.exactMatch.map(sub)
            c.requiredContents.mustInclude = check.requiredContents.mustInclude?.map(sub)
            c.requiredContents.mustExclude = check.requiredContents.mustExclude?.map(sub)
            return c
        }
        return copy
    }
}

/// `reference_answers`: any of the three keys; `fuzzy_match` is a list or the string "N/A".
public struct ReferenceAnswers: Codable, Sendable, Hashable {
    public var exactMatch: String?
    public var mustInclude: [String]?
    public var fuzzyMatch: FuzzyReference?

    public enum FuzzyReference: Codable, Sendable, Hashable {
        case answers([String])
        /// The task is not achievable; the answer must say so.
        case notAchievable

        public init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let list = try? c.decode([String].self) { self = .answers(list); return }
            let s = try c.decode(String.self)
            self = s == "N/A" ? .notAchievable : .answers([s])
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .answers(let a): try c.encode(a)
            case .notAchievable: try c.encode("N/A")
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case exactMatch = "exact_match", mustInclude = "must_include", fuzzyMatch = "fuzzy_match"
    }

    public init(exactMatch: String? = nil, mustInclude: [String]? = nil, fuzzyMatch: FuzzyReference? = nil) {
        self.exactMatch = exactMatch
        self.mustInclude = mustInclude
        self.fuzzyMatch = fuzzyMatch
    }
}

/// One `program_html` entry: open `url` ("last" = the page the agent ended on, `func:…` = a WebArena
/// helper computing it), take the text of the element `locator` selects (empty = the whole page),
/// check `required_contents`.
public struct ProgramHTMLCheck: Codable, Sendable, Hashable {
    public var url: String
    /// "" (whole page), a simple CSS selector (`#id`, `.class`, `tag`, `tag.class`, `[name=value]`,
    /// descendant chains like `main table td`), `role=heading name=Order` for the accessibility tree,
    /// or WebArena's forms: a JavaScript expression (`document.querySelector(…).outerText`) evaluated
    /// in the page, or `func:helper(…)` (see `WebArenaHelperCall`).
    public var locator: String
    public var requiredContents: RequiredContents
    /// WebArena's `prep_actions`: JavaScript statements run in the page before the locator (e.g.
    /// expanding a collapsed admin section); their failures are ignored, as WebArena ignores them.
    public var prepActions: [String]?

    public struct RequiredContents: Codable, Sendable, Hashable {
        public var exactMatch: String?
        public var mustInclude: [String]?
        /// This project's addition: none of these may appear (e.g. a removed wish-list item).
        public var mustExclude: [String]?

        enum CodingKeys: String, CodingKey {
            case exactMatch = "exact_match", mustInclude = "must_include", mustExclude = "must_exclude"
        }

        public init(exactMatch: String? = nil, mustInclude: [String]? = nil, mustExclude: [String]? = nil) {
            self.exactMatch = exactMatch
            self.mustInclude = mustInclude
            self.mustExclude = mustExclude
        }
    }

    enum CodingKeys: String, CodingKey { case url, locator, requiredContents = "required_contents", prepActions = "prep_actions" }

    public init(url: String, locator: String = "", requiredContents: RequiredContents, prepActions: [String]? = nil) {
        self.url = url
        self.locator = locator
        self.requiredContents = requiredContents
        self.prepActions = prepActions
    }
}

/// A state check: run `sql` on the instance database; the first column of the result must equal
/// `expected` (a scalar compares with the first row, an array with all rows in order).
public struct DatabaseCheckSpec: Codable, Sendable, Hashable {
    public var site: String?
    public var sql: String
    public var expected: JSONValue
    public var note: String?

    public init(site: String? = nil, sql: String, expected: JSONValue, note: String? = nil) {
        self.site = site
        self.sql = sql
        self.expected = expected
        self.note = note
    }
}
