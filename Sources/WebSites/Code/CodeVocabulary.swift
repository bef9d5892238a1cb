import NNetnavSupport
/// The material the code host's seed data is composed from.
enum CodeVocabulary {
    struct ProjectIdea {
        let name: String
        let language: String
        let summary: String
        /// Module names, used for source files, issue titles and merge requests.
        let modules: [String]
    }

    static let groups = ["opensci", "northwind", "toolsmiths", "datakit"]

    static let projects: [ProjectIdea] = [
        ProjectIdea(name: "csv-toolkit", language: "Python", summary: "Command-line tools for cleaning and joining CSV files", modules: ["reader", "cleaner", "joiner"]),
        ProjectIdea(name: "weather-station", language: "Python", summary: "Collects readings from backyard weather sensors", modules: ["sensors", "storage", "dashboard"]),
        ProjectIdea(name: "tide-tables", language: "Python", summary: "Predicts tides from harmonic constituents", modules: ["harmonics", "stations", "forecast"]),
        ProjectIdea(name: "recipe-scaler", language: "Python", summary: "Scales recipes and converts kitchen units", modules: ["units", "parser", "scaler"]),
        ProjectIdea(name: "bird-counter", language: "Python", summary: "Tallies bird observations from field notes", modules: ["species", "tally", "export"]),
        ProjectIdea(name: "lab-inventory", language: "Python", summary: "Tracks reagents and equipment in a research lab", modules: ["items", "locations", "alerts"]),
        ProjectIdea(name: "genome-slicer", language: "Python", summary: "Extracts regions from large genome files", modules: ["fasta", "regions", "index"]),
        ProjectIdea(name: "budget-book", language: "Python", summary: "A plain-text personal budgeting tool", modules: ["ledger", "categories", "reports"]),
        ProjectIdea(name: "markdown-linter", language: "JavaScript", summary: "Finds style problems in Markdown documents", modules: ["rules", "parser", "reporter"]),
        ProjectIdea(name: "trail-map", language: "JavaScript", summary: "Renders hiking trails from GPX tracks", modules: ["gpx", "tiles", "elevation"]),
        ProjectIdea(name: "kanban-lite", language: "JavaScript", summary: "A small self-hosted kanban board", modules: ["board", "cards", "storage"]),
        ProjectIdea(name: "quiz-engine", language: "JavaScript", summary: "Builds and grades multiple-choice quizzes", modules: ["questions", "scoring", "timer"]),
        ProjectIdea(name: "color-palette", language: "JavaScript", summary: "Generates accessible color palettes", modules: ["contrast", "palette", "export"]),
        ProjectIdea(name: "form-validator", language: "JavaScript", summary: "Declarative validation for HTML forms", modules: ["rules", "messages", "schema"]),
        ProjectIdea(name: "chat-relay", language: "JavaScript", summary: "Relays messages between chat networks", modules: ["bridge", "formatter", "queue"]),
        ProjectIdea(name: "pixel-editor", language: "JavaScript", summary: "A tiny pixel-art editor for sprites", modules: ["canvas", "history", "palette"]),
        ProjectIdea(name: "swift-metrics-kit", language: "Swift", summary: "Counters and histograms for server-side Swift", modules: ["Counter", "Histogram", "Exporter"]),
        ProjectIdea(name: "habit-tracker", language: "Swift", summary: "Tracks daily habits and streaks", modules: ["Habit", "Streak", "Reminder"]),
        ProjectIdea(name: "json-diff", language: "Swift", summary: "Structural diffs of JSON documents", modules: ["Differ", "Path", "Formatter"]),
        ProjectIdea(name: "image-resizer", language: "Swift", summary: "Batch resizing and cropping of photos", modules: ["Resizer", "Cropper", "Batch"]),
        ProjectIdea(name: "note-sync", language: "Swift", summary: "Synchronises plain-text notes between devices", modules: ["Vault", "Merge", "Transport"]),
        ProjectIdea(name: "flashcards", language: "Swift", summary: "Spaced-repetition flashcards", modules: ["Deck", "Scheduler", "Review"]),
        ProjectIdea(name: "http-mock", language: "Swift", summary: "A programmable HTTP server for tests", modules: ["Route", "Recorder", "Server"]),
        ProjectIdea(name: "log-parser", language: "Python", summary: "Parses and summarises web server logs", modules: ["formats", "summary", "filters"]),
        ProjectIdea(name: "solar-calc", language: "Python", summary: "Estimates output of rooftop solar panels", modules: ["irradiance", "panels", "report"]),
        ProjectIdea(name: "library-catalog", language: "Python", summary: "Catalogue software for small libraries", modules: ["books", "loans", "search"]),
        ProjectIdea(name: "sudoku-solver", language: "JavaScript", summary: "Solves and generates sudoku puzzles", modules: ["grid", "solver", "generator"]),
        ProjectIdea(name: "podcast-feed", language: "JavaScript", summary: "Builds RSS feeds for podcasts", modules: ["episodes", "feed", "validator"]),
        ProjectIdea(name: "plant-watering", language: "Swift", summary: "Reminds you when to water your plants", modules: ["Plant", "Schedule", "Notifier"]),
        ProjectIdea(name: "unit-converter", language: "Swift", summary: "Converts between units of measure", modules: ["Unit", "Converter", "Catalog"]),
    ]

    static let givenNames = ["Alex", "Priya", "Jonas", "Mei", "Carlos", "Fatima", "Lukas", "Sofia", "Kwame", "Hana",
                             "Mateo", "Ingrid", "Omar", "Chloe", "Ravi", "Elena", "Tomasz", "Aiko", "Diego", "Nora"]
    static let familyNames = ["Rivera", "Sharma", "Berg", "Chen", "Mendes", "Haddad", "Novak", "Rossi", "Mensah", "Sato",
                              "Garcia", "Larsen", "Farouk", "Dubois", "Iyer", "Petrova", "Kowalski", "Tanaka", "Silva", "Lindqvist"]

    static let labels = ["bug", "feature", "documentation", "performance", "question", "good first issue"]
    static let roles = ["Owner", "Maintainer", "Developer", "Reporter"]

    /// Issue title templates by label; `{m}` is a module, `{p}` the project.
    static let issueTitles: [String: [String]] = [
        "bug": ["Crash in {m} when the input is empty", "{m} returns wrong results for negative values",
                "Unicode characters break {m}", "{m} ignores the configuration file", "Memory leak in {m}"],
        "feature": ["Add export to JSON in {m}", "Support dark mode in {m}", "Allow custom plugins for {m}",
                    "Add a --dry-run flag to {m}", "Make {m} configurable from environment variables"],
        "documentation": ["Document the {m} API", "README install steps are outdated", "Add examples for {m}",
                          "Explain the release process"],
        "performance": ["{m} is slow on large inputs", "Cache results in {m}", "Reduce start-up time of {p}"],
        "question": ["How do I use {m} with Docker?", "Is {p} compatible with Windows?", "Roadmap for {p} 2.0?"],
        "good first issue": ["Typo in {m} error message", "Add tests for {m}", "Rename confusing variable in {m}"],
    ]
    static let issueBodies = [
        "Steps to reproduce: run {p} with the default settings and open {m}. Expected it to work; it does not.",
        "I noticed this while using {m} on a real project. Happy to send a merge request if the approach sounds right.",
        "This came up in the last planning meeting. {m} is the natural place for it.",
        "Reported by a user on the mailing list. Affects the latest release of {p}.",
    ]
    static let notes = [
        "I can reproduce this on the main branch.", "Thanks for the report, looking into it.",
        "Could you share the exact input that triggers this?", "This should be fixed by the open merge request.",
        "+1, we hit this too.", "Moving this to the next milestone.", "I have a patch ready for {m}.",
        "Closing as duplicate once the fix lands.",
    ]
    static let mergeTitles = ["Fix {m} crash on empty input", "Add JSON export to {m}", "Refactor {m} for readability",
                              "Speed up {m} with a cache", "Update README for {p}", "Add tests for {m}"]
}
