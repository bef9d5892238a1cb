import Foundation
import NNetnavSupport

/// Translates WebArena/Playwright key names (`Enter`, `Ctrl+a`, `Shift+Tab`, `Meta+v`) into
/// `Input.dispatchKeyEvent` parameters.
struct KeyStroke: Sendable, Equatable {
    var key: String
    var code: String
    var keyCode: Int
    var text: String?
    var modifiers: Int
    /// Editing commands Chromium must be told to run, since synthetic shortcuts don't trigger them.
    var commands: [String]

    static let modifierBits: [String: Int] = [
        "alt": 1, "option": 1, "control": 2, "ctrl": 2, "controlormeta": 2, "meta": 4, "cmd": 4, "command": 4,
        "shift": 8,
    ]

    static let named: [String: (key: String, code: String, keyCode: Int, text: String?)] = [
        "enter": ("Enter", "Enter", 13, "\r"), "return": ("Enter", "Enter", 13, "\r"),
        "tab": ("Tab", "Tab", 9, nil), "backspace": ("Backspace", "Backspace", 8, nil),
        "delete": ("Delete", "Delete", 46, nil), "escape": ("Escape", "Escape", 27, nil), "esc": ("Escape", "Escape", 27, nil),
        "space": (" ", "Space", 32, " "), "arrowup": ("ArrowUp", "ArrowUp", 38, nil), "up": ("ArrowUp", "ArrowUp", 38, nil),
        "arrowdown": ("ArrowDown", "ArrowDown", 40, nil), "down": ("ArrowDown", "ArrowDown", 40, nil),
        "arrowleft": ("ArrowLeft", "ArrowLeft", 37, nil), "left": ("ArrowLeft", "ArrowLeft", 37, nil),
        "arrowright": ("ArrowRight", "ArrowRight", 39, nil), "right": ("ArrowRight", "ArrowRight", 39, nil),
        "home": ("Home", "Home", 36, nil), "end": ("End", "End", 35, nil),
        "pageup": ("PageUp", "PageUp", 33, nil), "pagedown": ("PageDown", "PageDown", 34, nil),
    ]

    /// Parses `Ctrl+Shift+a`; nil when the key part is not a known key or a single character.
    static func parse(_ combination: String) -> KeyStroke? {
        var parts = combination.split(separator: "+", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        // "Ctrl++" means the plus key.
        if parts.count >= 2, parts.last == "", parts[parts.count - 2] == "" { parts.removeLast(2); parts.append("+") }
        guard let keyName = parts.popLast(), !keyName.isEmpty else { return nil }
        var modifiers = 0
        for part in parts {
            guard let bit = modifierBits[part.lowercased()] else { return nil }
            modifiers |= bit
        }
        return stroke(for: keyName, modifiers: modifiers)
    }

    /// The stroke that types one character (no modifiers).
    static func character(_ ch: Character) -> KeyStroke {
        if ch == "\n" || ch == "\r" { return stroke(for: "Enter", modifiers: 0)! }
        if ch == "\t" { return stroke(for: "Tab", modifiers: 0)! }
        return stroke(for: String(ch), modifiers: 0) ?? KeyStroke(key: String(ch), code: "", keyCode: 0,
                                                                  text: String(ch), modifiers: 0, commands: [])
    }

    private static func stroke(for keyName: String, modifiers: Int) -> KeyStroke? {
        if let named = named[keyName.lowercased()] {
            return KeyStroke(key: named.key, code: named.code, keyCode: named.keyCode,
                             text: modifiers & ~8 == 0 ? named.text : nil, modifiers: modifiers, commands: [])
        }
        guard keyName.count == 1, let ch = keyName.first else {
            if keyName.lowercased().hasPrefix("f"), let n = Int(keyName.dropFirst()), (1...12).contains(n) {
                return KeyStroke(key: "F\(n)", code: "F\(n)", keyCode: 111 + n, text: nil, modifiers: modifiers, commands: [])
            }
            return nil
        }
        let shifted = modifiers & 8 != 0
        let text = shifted ? String(ch).uppercased() : String(ch)
        var code = ""
        var keyCode = 0
        if ch.isLetter, ch.isASCII {
            code = "Key" + String(ch).uppercased()
            keyCode = Int(String(ch).uppercased().unicodeScalars.first!.value)
        } else if ch.isNumber, ch.isASCII {
            code = "Digit\(ch)"
            keyCode = Int(ch.unicodeScalars.first!.value)
        }
        var commands: [String] = []
        let command = modifiers & (2 | 4) != 0
        if command {
            switch ch.lowercased() {
            case "a": commands = ["selectAll"]
            case "c": commands = ["copy"]
            case "x": commands = ["cut"]
            case "v": commands = ["paste"]
            case "z": commands = [shifted ? "redo" : "undo"]
            default: break
            }
        }
        return KeyStroke(key: text, code: code, keyCode: keyCode, text: command || modifiers & 1 != 0 ? nil : text,
                         modifiers: modifiers, commands: commands)
    }

    func downParams() -> JSONValue {
        var p: [String: JSONValue] = [
            "type": .string(text == nil ? "rawKeyDown" : "keyDown"), "key": .string(key), "code": .string(code),
            "windowsVirtualKeyCode": .number(Double(keyCode)), "modifiers": .number(Double(modifiers)),
        ]
        if let text { p["text"] = .string(text); p["unmodifiedText"] = .string(text) }
        if !commands.isEmpty { p["commands"] = .array(commands.map { .string($0) }) }
        return .object(p)
    }

    func upParams() -> JSONValue {
        ["type": "keyUp", "key": .string(key), "code": .string(code),
         "windowsVirtualKeyCode": .number(Double(keyCode)), "modifiers": .number(Double(modifiers))]
    }
}
