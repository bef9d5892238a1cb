import Foundation

/// One action of the WebArena action grammar (`browser_env/actions.py`), as a value.
///
/// Element ids are the `[id]` numbers printed in the text observation.
public enum BrowserAction: Sendable, Hashable, Codable {
    case click(id: Int)
    case type(id: Int, text: String, pressEnter: Bool)
    case hover(id: Int)
    case press(keys: String)
    case scroll(ScrollDirection)
    case selectOption(id: Int, value: String)
    case newTab
    case tabFocus(index: Int)
    case closeTab
    case goto(url: String)
    case goBack
    case goForward
    case stop(answer: String)
    /// Model output that did not parse; executing it yields an error observation.
    case invalid(raw: String, reason: String)

    public enum ScrollDirection: String, Sendable, Hashable, Codable { case up, down }

    /// The verb as the grammar spells it (`select_option`, `tab_focus`...).
    public var verb: String {
        switch self {
        case .click: "click"
        case .type: "type"
        case .hover: "hover"
        case .press: "press"
        case .scroll: "scroll"
        case .selectOption: "select_option"
        case .newTab: "new_tab"
        case .tabFocus: "tab_focus"
        case .closeTab: "close_tab"
        case .goto: "goto"
        case .goBack: "go_back"
        case .goForward: "go_forward"
        case .stop: "stop"
        case .invalid: "none"
        }
    }

    /// The element the action targets, if any.
    public var elementID: Int? {
        switch self {
        case .click(let id), .type(let id, _, _), .hover(let id), .selectOption(let id, _): id
        default: nil
        }
    }

    public var isStop: Bool { if case .stop = self { true } else { false } }
    public var isValid: Bool { if case .invalid = self { false } else { true } }
}

extension BrowserAction: CustomStringConvertible {
    /// The canonical text form, which `ActionParser.parse` reads back to the same value.
    public var description: String {
        switch self {
        case .click(let id): "click [\(id)]"
        case .type(let id, let text, let enter): "type [\(id)] [\(text)] [\(enter ? 1 : 0)]"
        case .hover(let id): "hover [\(id)]"
        case .press(let keys): "press [\(keys)]"
        case .scroll(let d): "scroll [\(d.rawValue)]"
        case .selectOption(let id, let value): "select_option [\(id)] [\(value)]"
        case .newTab: "new_tab"
        case .tabFocus(let i): "tab_focus [\(i)]"
        case .closeTab: "close_tab"
        case .goto(let url): "goto [\(url)]"
        case .goBack: "go_back"
        case .goForward: "go_forward"
        case .stop(let answer): "stop [\(answer)]"
        case .invalid(let raw, _): raw
        }
    }
}
