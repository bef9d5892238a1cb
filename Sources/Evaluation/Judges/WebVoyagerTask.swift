import Foundation

/// One WebVoyager task as WebVoyager ships them (`data/WebVoyager_data.jsonl`): a start page and
/// a question, e.g. `{"web_name": "Allrecipes", "id": "Allrecipes--0", "ques": "…", "web": "https://www.allrecipes.com/"}`.
public struct WebVoyagerTask: Codable, Sendable, Hashable {
    public var id: String
    public var webName: String?
    public var web: String
    public var ques: String

    enum CodingKeys: String, CodingKey { case id, webName = "web_name", web, ques }

    public init(id: String, webName: String? = nil, web: String, ques: String) {
        self.id = id
        self.webName = webName
        self.web = web
        self.ques = ques
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        web = try c.decode(String.self, forKey: .web)
        ques = try c.decode(String.self, forKey: .ques)
        webName = try c.decodeIfPresent(String.self, forKey: .webName)
        id = try c.decodeIfPresent(String.self, forKey: .id) ?? ""
    }

    /// The host the task starts on (its episode's allowlist).
    public var host: String? { URL(string: web)?.host?.lowercased() }

    public enum LoadError: Error, CustomStringConvertible, Sendable {
        case unreadable(URL, String)
        case badLine(URL, line: Int, detail: String)
        case duplicateID(URL, String)

        public var description: String {
            switch self {
            case .unreadable(let u, let d): return "cannot read WebVoyager tasks \(u.path): \(d)"
            case .badLine(let u, let l, let d): return "\(u.path):\(l): not a WebVoyager task ({\"web\", \"ques\"}): \(d)"
            case .duplicateID(let u, let id): return "\(u.path): task id \(id) appears twice"
            }
        }
    }

    /// JSONL, one task a line; blank lines skipped; a task without `id` gets `line-N`. A bad line is
    /// an error naming it, never skipped.
    public static func load(_ file: URL) throws -> [WebVoyagerTask] {
        let text: String
        do { text = try String(contentsOf: file, encoding: .utf8) } catch { throw LoadError.unreadable(file, "\(error)") }
        var tasks: [WebVoyagerTask] = []
        var seen = Set<String>()
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { continue }
            var task: WebVoyagerTask
            do {
                task = try JSONDecoder().decode(WebVoyagerTask.self, from: Data(trimmed.utf8))
            } catch let error as DecodingError {
                throw LoadError.badLine(file, line: index + 1, detail: Self.describe(error))
            }
            guard let url = URL(string: task.web), let scheme = url.scheme, ["http", "https"].contains(scheme.lowercased()), url.host != nil else {
                throw LoadError.badLine(file, line: index + 1, detail: "web '\(task.web)' is not an http(s) URL")
            }
            if task.id.isEmpty { task.id = "line-\(index + 1)" }
            guard seen.insert(task.id).inserted else { throw LoadError.duplicateID(file, task.id) }
            tasks.append(task)
        }
        return tasks
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): return "missing key '\(key.stringValue)'"
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): return c.debugDescription
        @unknown default: return "\(error)"
        }
    }
}
