import Foundation
import Testing
@testable import LlamaModel

@Suite struct ModelFileTests {
    @Test(arguments: [GGMLType.f32, .f16, .bf16, .q8_0, .q4_0, .q4_1])
    func quantisationRoundTripsWithinItsPrecision(type: GGMLType) {
        var rng = SeededGenerator(seed: 1)
        let values = (0..<256).map { _ in Float.random(in: -2...2, using: &rng) }
        let decoded = Dequantize.decode(type, bytes: Quantize.encode(values, as: type), count: values.count)
        let tolerance: Float
        switch type {
        case .f32: tolerance = 0
        case .f16: tolerance = 2e-3
        case .bf16: tolerance = 1e-2
        case .q8_0: tolerance = 2.0 / 127
        case .q4_0: tolerance = 2.0 / 8 + 1e-3   // the extreme of opposite sign clamps at +7·d
        case .q4_1: tolerance = 4.0 / 15 * 0.55 + 1e-3
        }
        let worst = zip(values, decoded).map { abs($0 - $1) }.max()!
        #expect(worst <= tolerance, "\(type.name): worst error \(worst)")
    }

    @Test func ggufWriteThenReadKeepsMetadataAndTensors() throws {
        var writer = GGUFWriter()
        writer.set("general.name", .string("tiny"))
        writer.set("x.count", .uint(7))
        writer.set("x.neg", .int(-3))
        writer.set("x.eps", .float(1e-5))
        writer.set("x.flag", .bool(true))
        writer.set("x.list", .array([.string("a"), .string("b c")]))
        let values = (0..<96).map { Float($0) / 10 }
        writer.add("w", shape: [3, 32], values: values, as: .q8_0)
        writer.add("n", shape: [5], values: [1, 2, 3, 4, 5])
        let url = TestFiles.temporaryURL("meta.gguf")
        try writer.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }

        let file = try GGUFFile(url: url)
        #expect(file.version == 3)
        #expect(file["general.name"]?.stringValue == "tiny")
        #expect(file["x.count"]?.intValue == 7)
        #expect(file["x.neg"]?.intValue == -3)
        #expect(abs((file["x.eps"]?.doubleValue ?? 0) - 1e-5) < 1e-9)
        #expect(file["x.flag"]?.boolValue == true)
        #expect(file["x.list"]?.stringArray == ["a", "b c"])
        #expect(file.metadataKeys == ["general.name", "x.count", "x.neg", "x.eps", "x.flag", "x.list"])
        #expect(file.info("w")?.shape == [3, 32])
        #expect(file.info("w")?.type == .q8_0)
        let w = try file.floats("w")
        #expect(zip(w, values).allSatisfy { abs($0 - $1) < 0.05 })
        #expect(try file.floats("n") == [1, 2, 3, 4, 5])
    }

    @Test func truncatedOrForeignFilesGiveErrors() throws {
        let url = TestFiles.temporaryURL("bad.gguf")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("not a model at all".utf8).write(to: url)
        #expect(throws: ModelFileError.self) { try GGUFFile(url: url) }
        let good = try TinyModel.writeGGUF()
        defer { try? FileManager.default.removeItem(at: good) }
        let data = try Data(contentsOf: good)
        try data.prefix(data.count / 2).write(to: url)
        #expect(throws: ModelFileError.self) { try GGUFFile(url: url) }
        #expect(throws: ModelFileError.self) { try GGUFFile(url: TestFiles.temporaryURL("missing.gguf")) }
    }

    @Test func tinyModelLoadsFromGGUFWithItsConfig() throws {
        let url = try TinyModel.writeGGUF()
        defer { try? FileManager.default.removeItem(at: url) }
        let loaded = try LlamaWeights.load(gguf: url)
        #expect(loaded.config == TinyModel.config)
        let original = TinyModel.weights()
        for (name, values) in original.tensors { #expect(loaded.tensors[name] == values, "\(name)") }
    }

    @Test func safetensorsRoundTripPermutesQueryAndKeyRows() throws {
        let weights = TinyModel.weights()
        let url = TestFiles.temporaryURL("tiny.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try weights.write(safetensors: url)

        let file = try SafetensorsFile(url: url)
        #expect(file.info("model.layers.0.self_attn.q_proj.weight")?.shape == [64, 64])
        #expect(file.info("model.layers.1.mlp.down_proj.weight")?.shape == [64, 96])
        // HF order differs from GGUF order for q/k: row 1 of head 0 in GGUF (x[1]) is HF row headDim/2.
        let hfQ = try file.floats("model.layers.0.self_attn.q_proj.weight")
        let ggufQ = weights.tensors[LlamaTensorName.query(0)]!
        #expect(Array(hfQ[8 * 64 ..< 9 * 64]) == Array(ggufQ[1 * 64 ..< 2 * 64]))
        #expect(try file.floats("model.layers.0.self_attn.v_proj.weight") == weights.tensors[LlamaTensorName.value(0)]!)

        let loaded = try LlamaWeights.load(safetensors: url)
        #expect(loaded.config == weights.config)
        for (name, values) in weights.tensors { #expect(loaded.tensors[name] == values, "\(name)") }
    }

    @Test func safetensorsHalfPrecisionAndMissingConfig() throws {
        let url = TestFiles.temporaryURL("h.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try SafetensorsFile.write([("a", [2, 2], [1, -2, 0.5, 3])], dtype: .bf16, to: url)
        let file = try SafetensorsFile(url: url)
        #expect(try file.floats("a") == [1, -2, 0.5, 3])
        #expect(throws: ModelFileError.self) { try LlamaWeights.load(safetensors: url) }
    }
}
