import Foundation
import Kernels
import Testing
@testable import LlamaModel

/// The kernels added for decode speed (issue 16): the AVX2 activation quantizer, the decode
/// attention kernel, the persistent split pool and the vectorised argmax, each against a plain
/// reference, with odd sizes and every instruction-set level this CPU runs.
@Suite struct DecodeKernelTests {
    static func random(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Float.random(in: -scale...scale, using: &rng) }
    }

    /// exp, SwiGLU and its backward at every level equal the scalar level bit for bit (one formula,
    /// FMA in both), odd lengths so loop tails run, and stay within float error of libm.
    @Test(arguments: [1, 13, 1536])
    func elementwiseKernelsAgreeAcrossLevelsAndWithLibm(count: Int) {
        let gate = Self.random(count, seed: 3, scale: 12), up = Self.random(count, seed: 4), dout = Self.random(count, seed: 5)
        func run(_ level: KernelLevel) -> (exp: [Float], sum: Float, h: [Float], dg: [Float], du: [Float]) {
            var e = gate, h = [Float](repeating: 0, count: count), dg = h, du = h
            let sum = VectorMath.expShifted(&e, count: count, shift: 1.5, level: level)
            VectorMath.swiGLU(into: &h, gate: gate, up: up, count: count, level: level)
            VectorMath.swiGLUBackward(dgate: &dg, dup: &du, dout: dout, gate: gate, up: up, count: count, level: level)
            return (e, sum, h, dg, du)
        }
        let reference = run(.scalar)
        for level in KernelLevel.allCases where level.isSupported && level != .scalar {
            let got = run(level)
            #expect(got.exp == reference.exp, "\(level) exp differs from scalar")
            #expect(got.h == reference.h, "\(level) SwiGLU differs from scalar")
            #expect(got.dg == reference.dg && got.du == reference.du, "\(level) SwiGLU backward differs from scalar")
            #expect(abs(got.sum - reference.sum) <= 1e-5 * reference.sum)
        }
        for i in 0..<count {
            let g = Double(gate[i]), s = 1 / (1 + Foundation.exp(-g))
            let e = Foundation.exp(Double(gate[i] - 1.5))  // the kernel's argument, rounded to float as it rounds it
            #expect(abs(Double(reference.exp[i]) - e) <= 5e-7 * e, "exp(\(gate[i] - 1.5))")
            #expect(abs(Double(reference.h[i]) - g * s * Double(up[i])) <= 1e-6 * max(1, abs(g)))
            let dg = Double(dout[i]) * Double(up[i]) * s * (1 + g * (1 - s))
            #expect(abs(Double(reference.dg[i]) - dg) <= 1e-6 * max(1, abs(g)))
            #expect(abs(Double(reference.du[i]) - Double(dout[i]) * g * s) <= 1e-6 * max(1, abs(g)))
        }
    }

    @Test(arguments: [1, 7, 18])
    func everyQuantizerLevelGivesTheScalarBytes(blocks: Int) {
        var x = Self.random(32 * blocks, seed: UInt64(blocks), scale: 4)
        x[3] = 0; x[5] = 2.5; x[6] = -2.5  // ties and zeros
        for j in 0..<32 { x[32 * (blocks - 1) + j] = 0 }  // an all-zero block
        let reference = QuantizedActivation(count: x.count)
        x.withUnsafeBufferPointer { reference.quantize($0.baseAddress!, level: .scalar) }
        for level in KernelLevel.allCases where level.isSupported {
            let whole = QuantizedActivation(count: x.count), pieces = QuantizedActivation(count: x.count)
            x.withUnsafeBufferPointer { p in
                whole.quantize(p.baseAddress!, level: level)
                // As the parts of a split do: disjoint block ranges, in any order.
                pieces.quantize(p.baseAddress!, blocks: blocks / 2 ..< blocks, level: level)
                pieces.quantize(p.baseAddress!, blocks: 0 ..< blocks / 2, level: level)
            }
            for q in [whole, pieces] {
                #expect((0..<x.count).allSatisfy { q.values[$0] == reference.values[$0] }, "\(level) values")
                #expect((0..<blocks).allSatisfy { q.scales[$0] == reference.scales[$0] && q.sums[$0] == reference.sums[$0] }, "\(level) scales")
            }
        }
    }

    /// Plain softmax attention of one query, per head, in Double.
    static func referenceAttention(q: [Float], keys: [Float], values: [Float], count: Int,
                                   shape: DecodeAttention.Shape) -> [Float] {
        let hd = shape.headDim, group = shape.heads / shape.kvHeads, width = shape.kvWidth
        var out = [Float](repeating: 0, count: shape.heads * hd)
        for h in 0..<shape.heads {
            let g = h / group
            let s = (0..<count).map { j in
                (0..<hd).reduce(0.0) { $0 + Double(q[h * hd + $1]) * Double(keys[j * width + g * hd + $1]) } / Double(hd).squareRoot()
            }
            let m = s.max()!
            let e = s.map { Foundation.exp($0 - m) }
            let sum = e.reduce(0, +)
            for d in 0..<hd {
                out[h * hd + d] = Float((0..<count).reduce(0.0) { $0 + e[$1] * Double(values[$1 * width + g * hd + d]) } / sum)
            }
        }
        return out
    }

    @Test(arguments: [(9, 3, 64, 37), (4, 2, 16, 8), (2, 1, 128, 13), (3, 3, 12, 5), (6, 2, 72, 1)])
    func decodeAttentionMatchesSoftmaxAtEveryLevelWholeAndInMergedSpans(shape t: (Int, Int, Int, Int)) {
        let shape = DecodeAttention.Shape(heads: t.0, kvHeads: t.1, headDim: t.2)
        let count = t.3
        let q = Self.random(shape.heads * shape.headDim, seed: 1, scale: 2)
        let keys = Self.random(count * shape.kvWidth, seed: 2, scale: 2), values = Self.random(count * shape.kvWidth, seed: 3)
        let expected = Self.referenceAttention(q: q, keys: keys, values: values, count: count, shape: shape)
        for level in KernelLevel.allCases where level.isSupported {
            var scores = [Float](repeating: 0, count: shape.heads * count)
            var out = [Float](repeating: .nan, count: q.count)
            DecodeAttention.run(&out, q: q, keys: keys, values: values, count: count, shape: shape, scores: &scores,
                                scoreStride: count, stats: nil, level: level)
            #expect(zip(out, expected).allSatisfy { abs($0 - $1) < 1e-4 }, "\(level) \(t) whole")
            guard count >= 2 else { continue }
            // Two spans with stats, merged as LlamaEngine.decodeAttention does.
            let split = count / 2
            var a = out, b = out, sa = [Float](repeating: 0, count: 2 * shape.heads), sb = sa
            keys.withUnsafeBufferPointer { k in
                values.withUnsafeBufferPointer { v in
                    DecodeAttention.run(&a, q: q, keys: k.baseAddress!, values: v.baseAddress!, count: split, shape: shape,
                                        scores: &scores, scoreStride: count, stats: &sa, level: level)
                    DecodeAttention.run(&b, q: q, keys: k.baseAddress! + split * shape.kvWidth, values: v.baseAddress! + split * shape.kvWidth,
                                        count: count - split, shape: shape, scores: &scores, scoreStride: count, stats: &sb, level: level)
                }
            }
            for h in 0..<shape.heads {
                let m = max(sa[2 * h], sb[2 * h]), wa = expf(sa[2 * h] - m), wb = expf(sb[2 * h] - m)
                let total = wa * sa[2 * h + 1] + wb * sb[2 * h + 1]
                for d in 0..<shape.headDim {
                    let i = h * shape.headDim + d
                    let merged = (wa * a[i] + wb * b[i]) / total
                    #expect(abs(merged - expected[i]) < 1e-4, "\(level) \(t) merged head \(h)")
                }
            }
        }
    }

    @Test func poolRunsEveryPartOnceAlsoNestedAndFromSeveralThreadsAtOnce() async {
        for parts in [1, 2, 3, 5] {
            for _ in 0..<200 {
                var hits = [Int](repeating: 0, count: parts)
                hits.withUnsafeMutableBufferPointer { h in
                    let h = UncheckedSendableBox(h)
                    Parallel.forEach(parts: parts) { p in
                        h.value[p] += 1
                        // A nested split runs inline on the part's own thread. With one part the outer call is
                        // no split at all, so the inner one really runs on two threads: each inner part writes
                        // its own slot (a shared counter here was a data race in the test, failing about once
                        // in a few thousand runs).
                        var inner = [0, 0]
                        inner.withUnsafeMutableBufferPointer { slots in
                            let slots = UncheckedSendableBox(slots)
                            Parallel.forEach(parts: 2) { q in slots.value[q] += 1 }
                        }
                        if inner != [1, 1] { h.value[p] += 100 }
                    }
                }
                #expect(hits == [Int](repeating: 1, count: parts), "\(parts) parts: \(hits)")
            }
        }
        // Concurrent submitters: one holds the pool, the others fall back; all finish correctly.
        await withTaskGroup(of: Bool.self) { group in
            for t in 0..<4 {
                group.addTask {
                    var ok = true
                    for i in 0..<300 {
                        var sums = [Int](repeating: 0, count: 2)
                        sums.withUnsafeMutableBufferPointer { s in
                            let s = UncheckedSendableBox(s)
                            Parallel.forEach(parts: 2) { p in s.value[p] = t * 1000 + i + p }
                        }
                        ok = ok && sums == [t * 1000 + i, t * 1000 + i + 1]
                    }
                    return ok
                }
            }
            for await ok in group { #expect(ok) }
        }
    }

    @Test func argmaxIsTheFirstLargestAndSkipsNaN() {
        func reference(_ x: [Float]) -> Int {
            var best = 0, value = -Float.infinity
            for i in x.indices where x[i] > value { value = x[i]; best = i }
            return best
        }
        for n in [1, 15, 16, 17, 49_152, 49_153] {
            var x = Self.random(n, seed: UInt64(n), scale: 10)
            #expect(x.withUnsafeBufferPointer { Sampler.argmax($0) } == reference(x), "n \(n)")
            x[n / 3] = 50; x[n - 1] = 50                           // a tie: the first wins
            if n > 2 { x[n / 2] = .nan }
            #expect(x.withUnsafeBufferPointer { Sampler.argmax($0) } == reference(x), "n \(n) with tie and NaN")
        }
        let allNegInf = [Float](repeating: -.infinity, count: 40)
        #expect(allNegInf.withUnsafeBufferPointer { Sampler.argmax($0) } == 0)
    }
}
