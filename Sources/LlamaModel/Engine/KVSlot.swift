/// One prefix cache of `LlamaEngine`: the tokens it holds, their keys and values per layer, and
/// the logits after the last of them. Storage is allocated on first use and doubles as it fills,
/// so an unused slot costs nothing.
final class KVSlot {
    /// Tokens whose keys and values are stored, in order.
    var tokens: [Int] = []
    /// Logits after the last stored token (empty when unknown).
    var lastLogits: [Float] = []
    /// `LlamaEngine`'s use counter when a prefill last chose this slot; 0 for never.
    var lastUse: UInt64 = 0
    private(set) var keys: [UnsafeMutablePointer<Float>] = []
    private(set) var values: [UnsafeMutablePointer<Float>] = []
    private(set) var capacity = 0

    /// Makes room for `positions` positions of `layers` layers of `width` floats, keeping the
    /// stored ones; grows to at least double so appending one token at a time stays cheap.
    func reserve(_ positions: Int, layers: Int, width: Int, limit: Int) {
        guard positions > capacity else { return }
        let grown = min(limit, max(positions, capacity * 2, 256))
        for l in 0..<layers {
            let k = UnsafeMutablePointer<Float>.allocate(capacity: grown * width)
            let v = UnsafeMutablePointer<Float>.allocate(capacity: grown * width)
            if capacity > 0 {
                k.update(from: keys[l], count: tokens.count * width)
                v.update(from: values[l], count: tokens.count * width)
                keys[l].deallocate(); values[l].deallocate()
                keys[l] = k; values[l] = v
            } else {
                keys.append(k); values.append(v)
            }
        }
        capacity = grown
    }

    /// Length of the longest common prefix of the stored tokens and `prompt`.
    func sharedPrefix(with prompt: [Int]) -> Int {
        var common = 0
        let limit = min(tokens.count, prompt.count)
        while common < limit && tokens[common] == prompt[common] { common += 1 }
        return common
    }

    deinit { for p in keys + values { p.deallocate() } }
}
