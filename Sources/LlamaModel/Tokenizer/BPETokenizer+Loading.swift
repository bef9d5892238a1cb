import Foundation

extension BPETokenizer {
    /// From GGUF metadata (`tokenizer.ggml.model == "gpt2"`). Control and user-defined tokens
    /// (token types 3 and 4) are the special tokens.
    public init(gguf: GGUFFile) throws {
        let model = gguf["tokenizer.ggml.model"]?.stringValue ?? "(none)"
        guard model == "gpt2" else { throw Error.unsupported("tokenizer.ggml.model \(model) (only gpt2 byte-level BPE)") }
        guard let tokens = gguf["tokenizer.ggml.tokens"]?.stringArray, !tokens.isEmpty else {
            throw Error.malformed("GGUF has no tokenizer.ggml.tokens")
        }
        let mergeStrings = gguf["tokenizer.ggml.merges"]?.stringArray ?? []
        let merges = try mergeStrings.map { line -> (String, String) in
            guard let space = line.firstIndex(of: " ") else { throw Error.malformed("merge \"\(line)\" has no space") }
            return (String(line[..<space]), String(line[line.index(after: space)...]))
        }
        let types = gguf["tokenizer.ggml.token_type"]?.intArray ?? []
        let specials = types.enumerated().filter { $0.element == 3 || $0.element == 4 }.map(\.offset)
        let pre = gguf["tokenizer.ggml.pre"]?.stringValue ?? "default"
        let preTokenizer: PreTokenizer
        switch pre {
        case "smollm": preTokenizer = PreTokenizer(individualDigits: true)
        case "gpt2", "default", "gpt-2": preTokenizer = PreTokenizer(individualDigits: false)
        // Qwen2, Qwen2.5 and Qwen3 all write "qwen2"; their tokenizer.json has an NFC normalizer.
        case "qwen2": preTokenizer = .qwen2
        case "llama3", "llama-bpe": preTokenizer = PreTokenizer(individualDigits: false, pattern: .llama3)
        default: throw Error.unsupported("pre-tokenizer \(pre) (supported: smollm, gpt2, qwen2, llama-bpe)")
        }
        try self.init(tokens: tokens, merges: merges, specialTokens: specials, preTokenizer: preTokenizer,
                      bosID: gguf["tokenizer.ggml.bos_token_id"]?.intValue, eosID: gguf["tokenizer.ggml.eos_token_id"]?.intValue)
    }

    /// From a Hugging Face `tokenizer.json` with a BPE model and a ByteLevel pre-tokenizer
    /// (optionally in a Sequence after Digits, or after a Split with the Qwen2 / Llama 3 regex and an
    /// optional NFC normalizer, as Qwen ships it). bos/eos are taken from special added tokens
    /// named like `<|endoftext|>`/`<|im_end|>` unless given.
    public init(tokenizerJSON url: URL, bosToken: String? = nil, eosToken: String? = nil) throws {
        guard let data = try? Data(contentsOf: url),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Error.malformed("\(url.path) is not a JSON object")
        }
        guard let model = json["model"] as? [String: Any], (model["type"] as? String ?? "BPE") == "BPE",
              let vocab = model["vocab"] as? [String: Int] else {
            throw Error.unsupported("\(url.lastPathComponent): model is not BPE with a vocab")
        }
        if model["byte_fallback"] as? Bool == true { throw Error.unsupported("byte_fallback BPE (SentencePiece-style)") }
        var added: [(Int, String, Bool)] = []
        for entry in json["added_tokens"] as? [[String: Any]] ?? [] {
            if let id = entry["id"] as? Int, let content = entry["content"] as? String {
                added.append((id, content, entry["special"] as? Bool ?? false))
            }
        }
        // Ids index an array sized by the largest one: negative or absurd ids are refused first.
        for id in Array(vocab.values) + added.map(\.0) where id < 0 || id >= 1 << 22 {
            throw Error.malformed("\(url.lastPathComponent): token id \(id) out of range 0..<\(1 << 22)")
        }
        let size = max((vocab.values.max() ?? -1), (added.map(\.0).max() ?? -1)) + 1
        var tokens = [String](repeating: "", count: size)
        for (t, id) in vocab { tokens[id] = t }
        for (id, content, _) in added { tokens[id] = content }
        var merges: [(String, String)] = []
        for item in model["merges"] as? [Any] ?? [] {
            if let line = item as? String, let space = line.firstIndex(of: " ") {
                merges.append((String(line[..<space]), String(line[line.index(after: space)...])))
            } else if let pair = item as? [String], pair.count == 2 {
                merges.append((pair[0], pair[1]))
            } else {
                throw Error.malformed("unreadable merge entry \(item)")
            }
        }
        let pre = json["pre_tokenizer"] as? [String: Any]
        let parts = (pre?["type"] as? String == "Sequence") ? (pre?["pretokenizers"] as? [[String: Any]] ?? []) : (pre.map { [$0] } ?? [])
        var digits = false
        var byteLevel = false
        var split: PreTokenizer.Pattern?
        for p in parts {
            switch p["type"] as? String {
            case "Digits": digits = p["individual_digits"] as? Bool ?? false
            case "Split":
                let regex = (p["pattern"] as? [String: Any])?["Regex"] as? String
                guard let pattern = PreTokenizer.Pattern.allCases.first(where: { $0.regex == regex }),
                      p["behavior"] as? String ?? "Isolated" == "Isolated", p["invert"] as? Bool != true else {
                    throw Error.unsupported("Split pre-tokenizer \(p["pattern"] ?? "?") (supported: the GPT-2, Qwen2 and Llama 3 regexes, isolated)")
                }
                split = pattern
            case "ByteLevel":
                byteLevel = true
                if p["add_prefix_space"] as? Bool == true { throw Error.unsupported("ByteLevel add_prefix_space") }
                // Without its own regex ByteLevel only maps bytes, which is right after a Split.
                if p["use_regex"] as? Bool == false, split == nil { throw Error.unsupported("ByteLevel without its regex") }
                if p["use_regex"] as? Bool ?? true, split != nil { throw Error.unsupported("a Split followed by ByteLevel's own regex") }
            default: throw Error.unsupported("pre-tokenizer \(p["type"] ?? "?")")
            }
        }
        guard byteLevel else { throw Error.unsupported("\(url.lastPathComponent) has no ByteLevel pre-tokenizer") }
        var nfc = false
        if let normalizer = json["normalizer"] as? [String: Any] {
            guard normalizer["type"] as? String == "NFC" else { throw Error.unsupported("normalizer \(normalizer["type"] ?? "?") (only NFC)") }
            nfc = true
        }
        let specials = added.filter { $0.2 }.map(\.0)
        func idOf(_ t: String?) -> Int? { t.flatMap { name in added.first { $0.1 == name }?.0 ?? vocab[name] } }
        let bos = idOf(bosToken) ?? idOf("<|im_start|>") ?? idOf("<|endoftext|>")
        let eos = idOf(eosToken) ?? idOf("<|im_end|>") ?? idOf("<|endoftext|>")
        try self.init(tokens: tokens, merges: merges, specialTokens: specials,
                      preTokenizer: PreTokenizer(individualDigits: digits, pattern: split ?? .gpt2, normalizesNFC: nfc),
                      bosID: bos, eosID: eos)
    }

    /// `tokenizer.ggml.pre` of this tokenizer's pre-tokenizer (llama.cpp's names).
    var ggufPreTokenizerName: String {
        switch preTokenizer.pattern {
        case .gpt2: return preTokenizer.individualDigits ? "smollm" : "gpt2"
        case .qwen2: return "qwen2"
        case .llama3: return "llama-bpe"
        }
    }

    /// GGUF metadata entries that reproduce this tokenizer (for writers).
    public var ggufMetadata: [(String, GGUFValue)] {
        var mergeLines = [(Int32, String)]()
        for (key, m) in merges {
            mergeLines.append((m.rank, tokens[Int(key >> 32)] + " " + tokens[Int(key & 0xFFFF_FFFF)]))
        }
        mergeLines.sort { $0.0 < $1.0 }
        var list: [(String, GGUFValue)] = [
            ("tokenizer.ggml.model", .string("gpt2")),
            ("tokenizer.ggml.pre", .string(ggufPreTokenizerName)),
            ("tokenizer.ggml.tokens", .array(tokens.map { .string($0) })),
            ("tokenizer.ggml.token_type", .array(tokens.indices.map { .int(specialIDs.contains($0) ? 3 : 1) })),
            ("tokenizer.ggml.merges", .array(mergeLines.map { .string($0.1) })),
        ]
        if let bosID { list.append(("tokenizer.ggml.bos_token_id", .uint(UInt64(bosID)))) }
        if let eosID { list.append(("tokenizer.ggml.eos_token_id", .uint(UInt64(eosID)))) }
        return list
    }
}
