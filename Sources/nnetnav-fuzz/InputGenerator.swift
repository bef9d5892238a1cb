import Foundation
import LlamaModel
import NNetnavSupport

/// Structure-aware inputs for the seeded fuzzing mode (and seeds for libFuzzer's corpus): each
/// target gets text or files shaped like what it parses, then byte-level mutations, so that runs
/// reach deep into the parsers instead of stopping at the first check.
struct InputGenerator {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    mutating func input(for target: FuzzTarget) -> [UInt8] {
        var bytes: [UInt8]
        switch target {
        case .html: bytes = Array(html(depth: 0).utf8)
        case .css: bytes = Array(css(depth: 0).utf8)
        case .action: bytes = Array(actionText().utf8)
        case .modules: bytes = Array(moduleText().utf8)
        case .gguf: bytes = gguf()
        case .safetensors: bytes = safetensors()
        }
        let rounds = Int(rng.next() % 4)
        for _ in 0..<rounds { mutate(&bytes, structured: target == .gguf || target == .safetensors) }
        return Array(bytes.prefix(target.maxInputBytes))
    }

    // MARK: Text

    private mutating func pick<T>(_ items: [T]) -> T { items[Int(rng.next() % UInt64(items.count))] }
    private mutating func chance(_ p: Double) -> Bool { Double(rng.next() % 10_000) / 10_000 < p }
    private mutating func number() -> String {
        pick(["0", "1", "7", "-1", "42", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
              "1e308", "NaN", "0x10", "00012", "4294967296", "", " 3 ", "３"])
    }
    private mutating func words() -> String {
        (0..<Int(rng.next() % 6)).map { _ in pick(["Add", "to", "cart", "é", "日本", "\u{0}", "&amp;", "&#x10FFFF;", "&#0;",
                                                   "\u{202E}", "[", "]", "```", "\"", "'", "\n", "\t", "<", ">", "Score:",
                                                   "🙂", "\u{FEFF}", "stop", "N/A"]) }.joined(separator: " ")
    }

    private mutating func html(depth: Int) -> String {
        let tags = ["div", "span", "a", "button", "input", "select", "option", "textarea", "label", "form", "table",
                    "tr", "td", "th", "ul", "li", "img", "svg", "title", "h1", "p", "main", "nav", "dialog", "details",
                    "summary", "iframe", "script", "style", "template", "noscript", "fieldset", "legend", "math"]
        let attributes = ["role=\"button\"", "role=\"\(pick(["none", "presentation", "heading", "listbox", "tab", "bogus", ""]))\"",
                          "aria-label=\"\(words())\"", "aria-labelledby=\"a b c\"", "aria-describedby=\"a\"",
                          "id=\"\(pick(["a", "b", "c", ""]))\"", "hidden", "aria-hidden=\"true\"", "style=\"display:none\"",
                          "style=\"visibility:hidden;\"", "type=\"\(pick(["checkbox", "radio", "text", "submit", "hidden", "number"]))\"",
                          "value=\"\(number())\"", "for=\"a\"", "href=\"\(pick(["/x", "javascript:1", "http://[::1", "?page=\(number())", "#"]))\"",
                          "tabindex=\"\(number())\"", "aria-level=\"\(number())\"", "colspan=\"\(number())\"", "alt=\"\(words())\"",
                          "selected", "checked", "disabled", "multiple", "size=\"\(number())\"", "aria-valuenow=\"\(number())\""]
        guard depth < 40, chance(0.85) else { return words() }
        var out = ""
        for _ in 0..<Int(rng.next() % 5) {
            switch rng.next() % 8 {
            case 0: out += words()
            case 1: out += "<!--\(words())"; if chance(0.8) { out += "-->" }
            case 2: out += pick(["&", "&lt", "&#", "&#99999999999;", "</", "<!DOCTYPE html>", "<![CDATA[", "<?xml?>", "<", "/>"])
            default:
                let tag = pick(tags)
                let attrs = (0..<Int(rng.next() % 4)).map { _ in pick(attributes) }.joined(separator: " ")
                out += "<\(tag) \(attrs)>" + html(depth: depth + 1)
                if chance(0.8) { out += "</\(chance(0.9) ? tag : pick(tags))>" }
            }
        }
        return out
    }

    /// Style rules, at-rules and broken pieces of both.
    private mutating func css(depth: Int) -> String {
        let simple = ["*", "p", "div", ".a", ".b", "#a", "[hidden]", "[class~=a]", "[lang|=en]", "[id^=a i]", ":root",
                      ":first-child", ":nth-child(2n+1)", ":nth-last-of-type(-n+\(number()))", ":not(.a, p)", ":is(.b, :bogus)",
                      ":where(#a)", ":has(p)", ":hover", "::before", ":before", "::-moz-x", ".md\\:x", "#\\31 0", ":empty"]
        let combinators = [" ", " > ", "+", " ~ ", ",", "", " || "]
        let values = ["none", "block", "contents", "hidden", "visible", "collapse", "inherit", "revert", "var(--x)", "", "none !important"]
        var out = ""
        for _ in 0..<Int(rng.next() % 6) {
            switch rng.next() % 8 {
            case 0 where depth < 6:
                out += "@" + pick(["media", "supports", "layer", "font-face", "keyframes x", "container", "media print", "import"])
                out += " " + pick(["screen", "(max-width: \(number())px)", "(width >= 40em) and (hover)", "not all", "", "(", "only screen,print"])
                out += " {" + css(depth: depth + 1) + (chance(0.9) ? "}" : "")
            case 1: out += pick(["/*", "*/", "<!--", "-->", "{", "}", ";", "'", "\"", "\\", "(", "[", "@", "!important"])
            default:
                let selector = (0..<Int(1 + rng.next() % 4)).map { _ in pick(simple) }.joined(separator: pick(combinators))
                out += selector + "{" + pick(["display", "visibility", "DISPLAY", "color", "--x"]) + ":" + pick(values)
                out += chance(0.8) ? ";}" : ""
            }
        }
        return out
    }

    private mutating func actionText() -> String {
        let actions = ["click [\(number())]", "type [\(number())] [\(words())] [\(pick(["0", "1", "2", ""]))]",
                       "hover [\(number())]", "press [\(pick(["Enter", "Control+a", "", "Meta+Shift+ArrowDown"]))]",
                       "scroll [\(pick(["up", "down", "sideways", ""]))]", "goto [\(pick(["http://127.0.0.1:1/?page=\(number())", "", "file:///etc/passwd"]))]",
                       "new_tab", "tab_focus [\(number())]", "close_tab", "go_back", "go_forward", "stop [\(words())]",
                       "select_option [\(number())] [\(words())]", "\(words())"]
        let action = pick(actions)
        switch rng.next() % 4 {
        case 0: return action
        case 1: return "Let's think step-by-step. \(words()) In summary, the next action I will perform is ```\(action)```"
        case 2: return "```\(action)``` and then ```\(pick(actions))```"
        default: return "```" + action
        }
    }

    private mutating func moduleText() -> String {
        let tag = pick(["Summary:", "Instruction:", "Output:", "Reason:", "Answer:", "Score:", "Rationale:", ""])
        switch rng.next() % 5 {
        case 0: return "\(words())\n\(tag) \(words())"
        case 1: return "Reasoning: \(words())\nScore: \(number())"
        case 2: return "\(tag) \(words()) ```\(actionText())``` \(words())"
        case 3: return "Instruction: " + String(repeating: "word ", count: Int(rng.next() % 200))
        default: return "\(tag)\(tag)\(number())\n```stop [\(words())]```"
        }
    }

    // MARK: Files

    /// A valid tiny model (sometimes with its tokenizer), then field-level and byte-level damage.
    private mutating func gguf() -> [UInt8] {
        let config = LlamaConfig(vocabSize: 8 + Int(rng.next() % 8), dim: 8, hiddenDim: 8, layerCount: 1, headCount: 2,
                                 kvHeadCount: pick([1, 2]), contextLength: 16)
        var writer = GGUFWriter()
        for (k, v) in config.ggufMetadata { writer.set(k, v) }
        if chance(0.5) {
            writer.set("tokenizer.ggml.model", .string("gpt2"))
            writer.set("tokenizer.ggml.tokens", .array((0..<config.vocabSize).map { .string(["a", "b", "ab", "<|im_end|>", "Ġ", "c"][$0 % 6] + "\($0 / 6)") }))
            writer.set("tokenizer.ggml.merges", .array([.string("a b"), .string("a0 b0")]))
            writer.set("tokenizer.ggml.token_type", .array((0..<config.vocabSize).map { .int($0 == 3 ? 3 : 1) }))
            writer.set("tokenizer.ggml.eos_token_id", .uint(UInt64(rng.next() % 32)))
        }
        if chance(0.3) { writer.set("general.alignment", pick([.uint(0), .int(-8), .uint(1), .uint(64), .uint(24)])) }
        if chance(0.3) { writer.set(pick(["llama.attention.head_count", "llama.block_count", "llama.embedding_length", "llama.vocab_size"]),
                                    pick([.uint(0), .int(-1), .uint(UInt64.max), .uint(1 << 40), .float(.nan)])) }
        for (name, shape) in config.tensors.map({ ($0.name, $0.shape) }) {
            let type: GGMLType = shape.count == 2 && shape[1] % 32 == 0 ? pick([.q4_0, .q4_1, .q8_0]) : pick([.f32, .f16, .bf16])
            writer.add(name, shape: shape, values: (0..<shape.reduce(1, *)).map { Float($0 % 7) / 7 }, as: type)
        }
        return [UInt8](writer.data())
    }

    private mutating func safetensors() -> [UInt8] {
        var entries: [String] = []
        var offset = 0
        for i in 0..<Int(1 + rng.next() % 3) {
            let dtype = pick(["F32", "F16", "BF16", "I64", ""])
            let shape = [Int(1 + rng.next() % 4), Int(1 + rng.next() % 4)]
            let size = shape[0] * shape[1] * (dtype == "F32" ? 4 : 2)
            var begin = "\(offset)", end = "\(offset + size)"
            if chance(0.2) { begin = number() }
            if chance(0.2) { end = number() }
            let shapeText = chance(0.2) ? "[\(number()),\(number())]" : "[\(shape[0]),\(shape[1])]"
            entries.append("\"t\(i)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shapeText),\"data_offsets\":[\(begin),\(end)]}")
            offset += size
        }
        if chance(0.3) { entries.append("\"__metadata__\":{\"nnetnav.llama_config\":\"{\\\"dim\\\":\(number())}\"}") }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var out: [UInt8] = []
        var length = UInt64(header.count)
        if chance(0.15) { length = pick([UInt64.max, 1 << 63, UInt64(header.count + 1), 0, 1]) }
        withUnsafeBytes(of: length.littleEndian) { out.append(contentsOf: $0) }
        out += header
        out += (0..<offset).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        return out
    }

    /// Byte flips, boundary values over 8-byte fields, truncation, duplication.
    private mutating func mutate(_ bytes: inout [UInt8], structured: Bool) {
        guard !bytes.isEmpty else { bytes = [UInt8(truncatingIfNeeded: rng.next())]; return }
        let at = Int(rng.next() % UInt64(bytes.count))
        switch rng.next() % 6 {
        case 0: bytes[at] ^= UInt8(1 << (rng.next() % 8))
        case 1: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
        case 2 where structured:
            let value: UInt64 = pick([UInt64.max, 1 << 63, 1 << 40, (1 << 40) - 1, 0, 1, 0xFFFF_FFFF, 32, 7] as [UInt64])
            withUnsafeBytes(of: value.littleEndian) { raw in
                for (i, b) in raw.enumerated() where at + i < bytes.count { bytes[at + i] = b }
            }
        case 3: bytes.removeLast(Int(rng.next() % UInt64(bytes.count)))
        case 4:
            let end = min(bytes.count, at + Int(rng.next() % 64))
            bytes.insert(contentsOf: bytes[at..<end], at: at)
        default: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: at)
        }
    }
}
