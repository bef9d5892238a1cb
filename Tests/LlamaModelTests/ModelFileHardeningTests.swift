import Foundation
import XCTest
@testable import LlamaModel

/// Hostile GGUF and safetensors files (issue 14 item 3): every one is refused with an error naming
/// the file, before any allocation or read sized by the file's own claims.
final class ModelFileHardeningTests: XCTestCase {
    /// Little-endian bytes of a hand-made GGUF file.
    struct Bytes {
        var data = Data()
        mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        mutating func string(_ s: String) { u64(UInt64(s.utf8.count)); data.append(contentsOf: Array(s.utf8)) }
        /// Magic, version 3, the two counts.
        static func header(tensors: UInt64, keys: UInt64) -> Bytes {
            var b = Bytes(); b.u32(0x4655_4747); b.u32(3); b.u64(tensors); b.u64(keys); return b
        }
    }

    private func write(_ data: Data, _ name: String) throws -> URL {
        let url = TestFiles.temporaryURL(name)
        try data.write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    private func assertRefused<T>(_ url: URL, mentioning fragment: String, _ body: (URL) throws -> T,
                                  file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(url), file: file, line: line) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains(url.path), "error names the file: \(text)", file: file, line: line)
            XCTAssertTrue(fragment.isEmpty || text.contains(fragment), "error says why (\(fragment)): \(text)", file: file, line: line)
        }
    }

    /// A file of a few dozen bytes, like the issue's report: one key whose array claims 2^39 elements
    /// (the old reader reserved capacity for them and aborted).
    func testTinyFileClaimingAHugeArrayIsRefusedBeforeAllocating() throws {
        var b = Bytes.header(tensors: 0, keys: 1)
        b.u64(0)                         // empty key
        b.u32(GGUFWireType.array.rawValue)
        b.u32(GGUFWireType.uint8.rawValue)
        b.u64(1 << 39)
        let url = try write(b.data, "huge-array.gguf")
        XCTAssertEqual(b.data.count, 48)
        assertRefused(url, mentioning: "array length") { try GGUFFile(url: $0) }
        assertRefused(url, mentioning: "array length") { try LocalChatModel(modelFile: $0) }
    }

    func testCountsLargerThanTheFileAreRefused() throws {
        let tensors = try write(Bytes.header(tensors: (1 << 40) - 1, keys: 0).data, "many-tensors.gguf")
        assertRefused(tensors, mentioning: "tensor count") { try GGUFFile(url: $0) }
        let keys = try write(Bytes.header(tensors: 0, keys: 1 << 30).data, "many-keys.gguf")
        assertRefused(keys, mentioning: "metadata count") { try GGUFFile(url: $0) }
    }

    func testDeeplyNestedArraysAreRefused() throws {
        var b = Bytes.header(tensors: 0, keys: 1)
        b.string("deep")
        b.u32(GGUFWireType.array.rawValue)
        for _ in 0..<64 { b.u32(GGUFWireType.array.rawValue); b.u64(1) }
        b.u32(GGUFWireType.uint8.rawValue); b.u64(1); b.data.append(1)
        let url = try write(b.data, "nested.gguf")
        assertRefused(url, mentioning: "nested") { try GGUFFile(url: $0) }
    }

    func testZeroNegativeAndOddAlignmentsAreRefused() throws {
        for (label, value) in [("zero", GGUFValue.uint(0)), ("negative", .int(-32)), ("odd", .uint(24))] {
            var writer = GGUFWriter()
            writer.set("general.alignment", value)
            writer.add("t", shape: [2], values: [1, 2])
            let url = try write(writer.data(), "align-\(label).gguf")
            assertRefused(url, mentioning: "general.alignment") { try GGUFFile(url: $0) }
        }
    }

    func testShapeProductOverflowIsRefused() throws {
        var b = Bytes.header(tensors: 1, keys: 0)
        b.string("t")
        b.u32(3)
        for _ in 0..<3 { b.u64((1 << 40) - 1) }   // each dimension passes the per-count limit
        b.u32(GGMLType.f32.rawValue)
        b.u64(0)
        b.data.append(contentsOf: [UInt8](repeating: 0, count: 64))
        let url = try write(b.data, "overflow.gguf")
        assertRefused(url, mentioning: "too many elements") { try GGUFFile(url: $0) }
    }

    func testTensorPastTheEndIsRefused() throws {
        var writer = GGUFWriter()
        writer.add("t", shape: [64], values: [Float](repeating: 1, count: 64))
        let url = try write(writer.data().dropLast(100), "truncated.gguf")
        assertRefused(url, mentioning: "past the end") { try GGUFFile(url: $0) }
    }

    func testZeroHeadCountAndBrokenSizesAreRefused() throws {
        let cases: [(String, String, GGUFValue, String)] = [
            ("heads0", "llama.attention.head_count", .uint(0), "head_count is 0"),
            ("kv0", "llama.attention.head_count_kv", .uint(0), "kv head count 0"),
            ("dim0", "llama.embedding_length", .uint(0), "dimensions"),
            ("layersNeg", "llama.block_count", .int(-3), "layer count -3"),
            ("vocabHuge", "llama.vocab_size", .uint(1 << 40), "vocab size"),
        ]
        for (label, key, value, why) in cases {
            var writer = GGUFWriter()
            for (k, v) in TinyModel.config.ggufMetadata { writer.set(k, v) }
            writer.set(key, value)
            let url = try write(writer.data(), "config-\(label).gguf")
            assertRefused(url, mentioning: why) { try LlamaConfig(gguf: GGUFFile(url: $0)) }
        }
    }

    func testMetadataSizesMustAgreeWithTheTensorsBeforeAllocation() throws {
        // Metadata claims a model of 2^20 × 2^20 embeddings; the file holds tiny tensors.
        var writer = GGUFWriter()
        var config = TinyModel.config
        config.vocabSize = 1 << 20
        for (k, v) in config.ggufMetadata { writer.set(k, v) }
        let weights = TinyModel.weights()
        for (name, shape) in TinyModel.config.tensors.map({ ($0.name, $0.shape) }) { writer.add(name, shape: shape, values: weights.tensors[name]!) }
        let url = try write(writer.data(), "lying-metadata.gguf")
        assertRefused(url, mentioning: "token_embd.weight") { try LlamaEngine(gguf: GGUFFile(url: $0)) }
    }

    // MARK: safetensors

    private func safetensors(headerLength: UInt64? = nil, header: String, data: Int = 16) -> Data {
        var out = Data()
        let json = Data(header.utf8)
        withUnsafeBytes(of: (headerLength ?? UInt64(json.count)).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        out.append(contentsOf: [UInt8](repeating: 0, count: data))
        return out
    }

    func testSafetensorsHeaderLengthOverflowIsRefused() throws {
        for (label, length) in [("max", UInt64.max), ("sign", UInt64(1) << 63), ("past", UInt64(1) << 20)] {
            let url = try write(safetensors(headerLength: length, header: "{}"), "len-\(label).safetensors")
            assertRefused(url, mentioning: "header length") { try SafetensorsFile(url: $0) }
        }
    }

    func testSafetensorsNegativeReversedAndOutOfFileOffsetsAreRefused() throws {
        let cases = [
            ("negative", #"{"t":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}"#, "negative or reversed"),
            ("reversed", #"{"t":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}"#, "negative or reversed"),
            ("outside", #"{"t":{"dtype":"F32","shape":[1],"data_offsets":[9223372036854775800,9223372036854775804]}}"#, "past the end"),
            ("shape", #"{"t":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,16]}}"#, "does not match"),
            ("negshape", #"{"t":{"dtype":"F32","shape":[-1,-4],"data_offsets":[0,16]}}"#, "does not match"),
        ]
        for (label, header, why) in cases {
            let url = try write(safetensors(header: header), "\(label).safetensors")
            assertRefused(url, mentioning: why) { try SafetensorsFile(url: $0) }
        }
    }

    func testSafetensorsConfigThatDisagreesWithTheTensorsIsRefused() throws {
        let url = TestFiles.temporaryURL("mismatch.safetensors")
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        try TinyModel.weights().write(safetensors: url)
        var other = TinyModel.config
        other.dim = 128
        other.headCount = 8
        assertRefused(url, mentioning: "the config needs") { try LlamaWeights.load(safetensors: $0, config: other) }
    }
}
