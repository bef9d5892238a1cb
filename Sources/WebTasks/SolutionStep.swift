import Foundation

/// Finds an element by accessibility role and name, as a person reading the page would.
public struct ElementLocator: Codable, Sendable, Hashable, CustomStringConvertible {
    public var role: String?
    public var name: String
    /// Which of several matches (exact name matches first), 0-based.
    public var index: Int?

    public init(role: String? = nil, name: String, index: Int? = nil) {
        self.role = role
        self.name = name
        self.index = index
    }

    public var description: String {
        "\(role ?? "element") '\(name)'" + (index.map { " #\($0)" } ?? "")
    }
}

/// One step of a scripted solution, written in tasks.json as
/// `{"click": {"role": "link", "name": "Sign In"}}`, `{"type": {...}, "text": "...", "enter": false}`,
/// `{"select": {...}, "value": "..."}`, `{"goto": "__SHOP__/cart"}`, `{"back": true}` or `{"stop": "answer"}`.
public enum SolutionStep: Codable, Sendable, Hashable, CustomStringConvertible {
    case click(ElementLocator)
    case type(ElementLocator, text: String, enter: Bool)
    case select(ElementLocator, value: String)
    case goto(String)
    case back
    case stop(String)

    enum CodingKeys: String, CodingKey { case click, type, text, enter, select, value, goto, back, stop }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let l = try c.decodeIfPresent(ElementLocator.self, forKey: .click) { self = .click(l) }
        else if let l = try c.decodeIfPresent(ElementLocator.self, forKey: .type) {
            self = .type(l, text: try c.decode(String.self, forKey: .text), enter: try c.decodeIfPresent(Bool.self, forKey: .enter) ?? false)
        } else if let l = try c.decodeIfPresent(ElementLocator.self, forKey: .select) {
            self = .select(l, value: try c.decode(String.self, forKey: .value))
        } else if let url = try c.decodeIfPresent(String.self, forKey: .goto) { self = .goto(url) }
        else if c.contains(.back) { self = .back }
        else if let answer = try c.decodeIfPresent(String.self, forKey: .stop) { self = .stop(answer) }
        else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "a solution step needs one of click, type, select, goto, back, stop"))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .click(let l): try c.encode(l, forKey: .click)
        case .type(let l, let text, let enter):
            try c.encode(l, forKey: .type); try c.encode(text, forKey: .text); try c.encode(enter, forKey: .enter)
        case .select(let l, let value): try c.encode(l, forKey: .select); try c.encode(value, forKey: .value)
        case .goto(let url): try c.encode(url, forKey: .goto)
        case .back: try c.encode(true, forKey: .back)
        case .stop(let answer): try c.encode(answer, forKey: .stop)
        }
    }

    func substituting(_ sub: (String) -> String) -> SolutionStep {
        switch self {
        case .goto(let url): return .goto(sub(url))
        case .type(let l, let text, let enter): return .type(l, text: sub(text), enter: enter)
        default: return self
        }
    }

    public var description: String {
        switch self {
        case .click(let l): return "click \(l)"
        case .type(let l, let text, let enter): return "type '\(text)' into \(l)\(enter ? " + Enter" : "")"
        case .select(let l, let value): return "select '\(value)' in \(l)"
        case .goto(let url): return "goto \(url)"
        case .back: return "go back"
        case .stop(let answer): return "stop [\(answer)]"
        }
    }
}
