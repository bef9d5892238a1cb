import Foundation

/// Byte-level BPE tokenizer (GPT-2 family: SmolLM2, Llama 3, Qwen-style vocabularies with the
/// GPT-2 pre-tokenizer), loaded from GGUF `tokenizer.ggml.*` metadata or a Hugging Face
/// `tokenizer.json`. Output matches Hugging Face `tokenizers` (see the fixture test).
public struct BPETokenizer: Sendable {
    public enum Error: Swift.Error, CustomStringConvertible {
        case unsupported(String)
        case malformed(String)
        public var description: String {
            switch self {
            case .unsupported(let m): return "unsupported tokenizer: \(m)"
            case .malformed(let m): return "malformed tokenizer: \(m)"
            }
        }
    }

    public let tokens: [String]
    let vocab: [String: Int]
    /// (left id, right id) packed in 64 bits → (rank, merged id).
    let merges: [UInt64: (rank: Int32, id: Int32)]
    /// Byte → id of its one-byte token, or -1 when the vocabulary lacks it (21 bytes in SmolLM2).
    let byteTokens: [Int32]
    /// Special (control) tokens matched verbatim in the input before pre-tokenizing, longest first.
    let specials: [(text: [Unicode.Scalar], id: Int)]
    let specialFirstScalars: Set<UInt32>
    public let specialIDs: Set<Int>
    public let preTokenizer: PreTokenizer
    public let bosID: Int?
    public let eosID: Int?

    public var vocabularySize: Int { tokens.count }

    public init(tokens: [String], merges mergeList: [(String, String)], specialTokens: [Int],
                preTokenizer: PreTokenizer, bosID: Int?, eosID: Int?) throws {
        self.tokens = tokens
        var vocab: [String: Int] = [:]
        vocab.reserveCapacity(tokens.count)
        for (i, t) in tokens.enumerated() where vocab[t] == nil { vocab[t] = i }
        self.vocab = vocab
        var merges: [UInt64: (rank: Int32, id: Int32)] = [:]
        merges.reserveCapacity(mergeList.count)
        for (rank, (a, b)) in mergeList.enumerated() {
            guard let ia = vocab[a], let ib = vocab[b], let m = vocab[a + b] else {
                throw Error.malformed("merge #\(rank) \"\(a) \(b)\" refers to a token missing from the vocabulary")
            }
            let key = UInt64(ia) << 32 | UInt64(ib)
            if merges[key] == nil { merges[key] = (Int32(rank), Int32(m)) }
        }
        self.merges = merges
        byteTokens = (0..<256).map { b in Int32(vocab[String(ByteLevel.byteToScalar[b])] ?? -1) }
        for id in specialTokens where !tokens.indices.contains(id) { throw Error.malformed("special token id \(id) out of range") }
        specials = specialTokens.map { (Array(tokens[$0].unicodeScalars), $0) }.filter { !$0.0.isEmpty }
            .sorted { $0.0.count > $1.0.count }
        specialFirstScalars = Set(specials.map { $0.text[0].value })
        specialIDs = Set(specialTokens)
        self.preTokenizer = preTokenizer
        for (name, id) in [("bos", bosID), ("eos", eosID)] {
            if let id, !tokens.indices.contains(id) { throw Error.malformed("\(name) token id \(id) out of range 0..<\(tokens.count)") }
        }
        self.bosID = bosID
        self.eosID = eosID
    }

    public func id(of token: String) -> Int? { vocab[token] }

    // MARK: Encoding

    /// Token ids of `text`. Special tokens written in the text (e.g. `<|im_start|>`) become their
    /// ids unless `allowSpecial` is false, in which case they are tokenized as plain text.
    public func encode(_ text: String, allowSpecial: Bool = true) -> [Int] {
        let scalars = Array((preTokenizer.normalizesNFC ? text.precomposedStringWithCanonicalMapping : text).unicodeScalars)
        var out: [Int] = []
        out.reserveCapacity(scalars.count / 3 + 4)
        var start = 0
        var i = 0
        if allowSpecial && !specials.isEmpty {
            while i < scalars.count {
                if specialFirstScalars.contains(scalars[i].value), let match = specialMatch(scalars, at: i) {
                    if start < i { encodeOrdinary(scalars, start..<i, into: &out) }
                    out.append(match.id)
                    i += match.length
                    start = i
                } else {
                    i += 1
                }
            }
        }
        if start < scalars.count { encodeOrdinary(scalars, start..<scalars.count, into: &out) }
        return out
    }

    private func specialMatch(_ s: [Unicode.Scalar], at i: Int) -> (id: Int, length: Int)? {
        for special in specials where i + special.text.count <= s.count {
            var ok = true
            for (k, c) in special.text.enumerated() where s[i + k] != c { ok = false; break }
            if ok { return (special.id, special.text.count) }
        }
        return nil
    }

    private func encodeOrdinary(_ s: [Unicode.Scalar], _ range: Range<Int>, into out: inout [Int]) {
        let slice = Array(s[range])
        var utf8: [UInt8] = []
        for piece in preTokenizer.split(slice) {
            utf8.removeAll(keepingCapacity: true)
            for k in piece { UTF8.encode(slice[k]) { utf8.append($0) } }
            bpe(utf8, into: &out)
        }
    }

    /// Merges the lowest-ranked adjacent pair (leftmost on ties) until no pair merges, which is
    /// what Hugging Face's priority-queue implementation computes. Bytes without a token are
    /// dropped, as HF does for a BPE model without an unknown token.
    private func bpe(_ bytes: [UInt8], into out: inout [Int]) {
        var symbols: [Int32] = []
        symbols.reserveCapacity(bytes.count)
        for b in bytes { let t = byteTokens[Int(b)]; if t >= 0 { symbols.append(t) } }
        if symbols.count > 1 {
            // Cache the rank of each adjacent pair; recompute only the neighbours of a merge.
            var ranks = [Int32](repeating: .max, count: symbols.count - 1)
            var mergedIDs = [Int32](repeating: -1, count: symbols.count - 1)
            func lookup(_ k: Int) {
                if let m = merges[UInt64(UInt32(symbols[k])) << 32 | UInt64(UInt32(symbols[k + 1]))] {
                    ranks[k] = m.rank; mergedIDs[k] = m.id
                } else { ranks[k] = .max; mergedIDs[k] = -1 }
            }
            for k in 0..<symbols.count - 1 { lookup(k) }
            while symbols.count > 1 {
                var best = -1
                var bestRank = Int32.max
                for k in 0..<ranks.count where ranks[k] < bestRank { bestRank = ranks[k]; best = k }
                if best < 0 { break }
                symbols[best] = mergedIDs[best]
                symbols.remove(at: best + 1)
                ranks.remove(at: best); mergedIDs.remove(at: best)
                if best < ranks.count { lookup(best) }
                if best > 0 { lookup(best - 1) }
            }
        }
        for t in symbols { out.append(Int(t)) }
    }

    // MARK: Decoding

    /// UTF-8 bytes of token ids; special tokens give their literal text unless skipped.
    public func bytes(_ ids: [Int], skipSpecial: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        for id in ids where tokens.indices.contains(id) {
            if specialIDs.contains(id) {
                if !skipSpecial { out.append(contentsOf: Array(tokens[id].utf8)) }
            } else {
                out.append(contentsOf: ByteLevel.bytes(of: tokens[id]))
            }
        }
        return out
    }

    public func decode(_ ids: [Int], skipSpecial: Bool = false) -> String {
        String(decoding: bytes(ids, skipSpecial: skipSpecial), as: UTF8.self)
    }
}
