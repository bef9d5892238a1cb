import LlamaModel

/// Hands out consecutive slices of one allocation (llm.c's `malloc_and_point_activations`).
struct BumpAllocator {
    private(set) var sizes: [Int] = []
    var total: Int { sizes.reduce(0, +) }
    mutating func reserve(_ count: Int) -> Int {
        let offset = total
        sizes.append(count)
        return offset
    }
}

/// What one decoder block saves in its forward for its backward. `rows` = B·T capacity.
struct LayerActivations {
    var xn1, rstd1, q, k, v, qh, kh, vh, probs, attHeads, att, x2, xn2, rstd2, gate, up, hidden: UnsafeMutablePointer<Float>
    var loraSaved: [LoRATarget: UnsafeMutablePointer<Float>]

    static func plan(_ alloc: inout BumpAllocator, config c: LlamaConfig, batch: Int, seq: Int, lora: LoRAConfig?) -> [String: Int] {
        let n = batch * seq
        var o: [String: Int] = [:]
        o["xn1"] = alloc.reserve(n * c.dim)
        o["rstd1"] = alloc.reserve(n)
        o["q"] = alloc.reserve(n * c.dim)
        o["k"] = alloc.reserve(n * c.kvDim)
        o["v"] = alloc.reserve(n * c.kvDim)
        o["qh"] = alloc.reserve(n * c.dim)
        o["kh"] = alloc.reserve(n * c.kvDim)
        o["vh"] = alloc.reserve(n * c.kvDim)
        o["probs"] = alloc.reserve(batch * c.headCount * seq * seq)
        o["attHeads"] = alloc.reserve(n * c.dim)
        o["att"] = alloc.reserve(n * c.dim)
        o["x2"] = alloc.reserve(n * c.dim)
        o["xn2"] = alloc.reserve(n * c.dim)
        o["rstd2"] = alloc.reserve(n)
        o["gate"] = alloc.reserve(n * c.hiddenDim)
        o["up"] = alloc.reserve(n * c.hiddenDim)
        o["hidden"] = alloc.reserve(n * c.hiddenDim)
        for t in lora?.targets ?? [] { o["lora." + t.rawValue] = alloc.reserve(n * lora!.rank) }
        return o
    }

    init(base: UnsafeMutablePointer<Float>, offsets o: [String: Int]) {
        func p(_ k: String) -> UnsafeMutablePointer<Float> { base + o[k]! }
        xn1 = p("xn1"); rstd1 = p("rstd1"); q = p("q"); k = p("k"); v = p("v")
        qh = p("qh"); kh = p("kh"); vh = p("vh"); probs = p("probs")
        attHeads = p("attHeads"); att = p("att"); x2 = p("x2"); xn2 = p("xn2"); rstd2 = p("rstd2")
        gate = p("gate"); up = p("up"); hidden = p("hidden")
        loraSaved = [:]
        for t in LoRATarget.allCases { if let off = o["lora." + t.rawValue] { loraSaved[t] = base + off } }
    }
}

/// Gradient scratch shared by all blocks in the backward (one block at a time).
struct BackwardScratch {
    var dx2, dxn, datt, dattHeads, dqh, dkh, dvh, dq, dk, dv, dhidden, dgate, dup, dprobs, lora: UnsafeMutablePointer<Float>

    static func plan(_ alloc: inout BumpAllocator, config c: LlamaConfig, batch: Int, seq: Int, lora: LoRAConfig?) -> [String: Int] {
        let n = batch * seq
        var o: [String: Int] = [:]
        for key in ["dx2", "dxn", "datt", "dattHeads", "dqh", "dq"] { o[key] = alloc.reserve(n * c.dim) }
        for key in ["dkh", "dvh", "dk", "dv"] { o[key] = alloc.reserve(n * c.kvDim) }
        for key in ["dhidden", "dgate", "dup"] { o[key] = alloc.reserve(n * c.hiddenDim) }
        o["dprobs"] = alloc.reserve(seq * seq)
        o["lora"] = alloc.reserve(n * (lora?.rank ?? 0))
        return o
    }

    init(base: UnsafeMutablePointer<Float>, offsets o: [String: Int]) {
        func p(_ k: String) -> UnsafeMutablePointer<Float> { base + o[k]! }
        dx2 = p("dx2"); dxn = p("dxn"); datt = p("datt"); dattHeads = p("dattHeads")
        dqh = p("dqh"); dkh = p("dkh"); dvh = p("dvh"); dq = p("dq"); dk = p("dk"); dv = p("dv")
        dhidden = p("dhidden"); dgate = p("dgate"); dup = p("dup"); dprobs = p("dprobs"); lora = p("lora")
    }
}

/// Copies head-major (B, H, T, hd) back to token-major rows (B·T, H·hd).
func headsToTokens(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, batch: Int, seq: Int, heads: Int, headDim: Int) {
    for b in 0..<batch {
        for h in 0..<heads {
            for t in 0..<seq {
                (out + (b * seq + t) * heads * headDim + h * headDim)
                    .update(from: x + ((b * heads + h) * seq + t) * headDim, count: headDim)
            }
        }
    }
}

/// Token-major rows to head-major, the transpose of `headsToTokens`.
func tokensToHeads(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, batch: Int, seq: Int, heads: Int, headDim: Int) {
    for b in 0..<batch {
        for h in 0..<heads {
            for t in 0..<seq {
                (out + ((b * heads + h) * seq + t) * headDim)
                    .update(from: x + (b * seq + t) * heads * headDim + h * headDim, count: headDim)
            }
        }
    }
}
