import Foundation
import Testing
@testable import LlamaModel

/// The engine's logits for SmolLM2-135M-Instruct against an independent numpy float64 forward
/// pass (fixture made by scripts/reference/smollm2_reference.py).
@Suite struct SmolLM2LogitsTests {
    struct Fixture: Decodable {
        struct Row: Decodable {
            var top_ids: [Int]
            var top_logits: [Double]
            var mean: Double
            var std: Double
            var logsumexp: Double
        }
        struct Case: Decodable { var text: String; var ids: [Int]; var rows: [Row] }
        var cases: [Case]
    }

    @Test(.enabled(if: TestFiles.smolLM2 != nil, "models/SmolLM2-135M-Instruct.Q4_1.gguf is absent (scripts/prerequisites.sh fetches it)"))
    func logitsMatchNumpyReference() throws {
        let url = try #require(TestFiles.smolLM2)
        let data = try Data(contentsOf: TestFiles.fixtures.appendingPathComponent("smollm2_logits.json"))
        let fixture = try JSONDecoder().decode(Fixture.self, from: data)
        let file = try GGUFFile(url: url)
        let tokenizer = try BPETokenizer(gguf: file)
        let engine = try LlamaEngine(gguf: file, maxContext: 256)
        let v = engine.config.vocabSize
        for c in fixture.cases {
            #expect(tokenizer.encode(c.text) == c.ids)
            engine.reset()
            let logits = try engine.append(c.ids, logits: .all)
            for (p, row) in c.rows.enumerated() {
                let mine = Array(logits[p * v ..< (p + 1) * v])
                var worst = 0.0
                for (id, expected) in zip(row.top_ids, row.top_logits) { worst = max(worst, abs(Double(mine[id]) - expected)) }
                #expect(worst < 2e-2, "\(c.text.prefix(20).debugDescription) position \(p): top-20 max |Δ| \(worst)")
                #expect(Sampler.argmax(mine.withUnsafeBufferPointer { $0 }) == row.top_ids[0] || abs(Double(mine[row.top_ids[0]]) - Double(mine.max()!)) < 1e-2)
                let mean = mine.reduce(0.0) { $0 + Double($1) } / Double(v)
                let std = (mine.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(v)).squareRoot()
                let m = Double(mine.max()!)
                let lse = m + log(mine.reduce(0.0) { $0 + exp(Double($1) - m) })
                #expect(abs(mean - row.mean) < 1e-2 && abs(std - row.std) < 1e-2 && abs(lse - row.logsumexp) < 2e-2,
                        "position \(p): mean \(mean)/\(row.mean) std \(std)/\(row.std) lse \(lse)/\(row.logsumexp)")
            }
        }
    }
}
