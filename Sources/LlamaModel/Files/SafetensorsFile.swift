import Foundation

/// A safetensors file: an 8-byte little-endian header length, a JSON header
/// (`name: {dtype, shape, data_offsets}` plus optional `__metadata__` of strings), then raw data.
/// Reads F32, F16 and BF16 tensors as Float; writes F32, F16 or BF16.
public final class SafetensorsFile: @unchecked Sendable {
    public enum DType: String, Sendable {
        case f32 = "F32", f16 = "F16", bf16 = "BF16"
        var ggml: GGMLType { switch self { case .f32: return .f32; case .f16: return .f16; case .bf16: return .bf16 } }
        var size: Int { self == .f32 ? 4 : 2 }
    }

    public struct TensorInfo: Sendable, Hashable {
        public var name: String
        public var dtype: DType
        public var shape: [Int]
        public var begin: Int
        public var end: Int
        public var elementCount: Int { shape.reduce(1, *) }
    }

    public let url: URL
    public let metadata: [String: String]
    public let tensors: [TensorInfo]
    private let index: [String: Int]
    private let file: MappedFile
    private let dataStart: Int

    public init(url: URL) throws {
        file = try MappedFile(url: url)
        self.url = url
        guard file.count >= 8 else { throw ModelFileError.malformed(url.path, "shorter than its header length") }
        // Compared as UInt64 before any conversion: a length near 2^64 must not wrap to a small or
        // negative Int (the reader is built with -Ounchecked, where conversions do not trap).
        let rawLength = UInt64(littleEndian: file.base.loadUnaligned(as: UInt64.self))
        guard rawLength > 1, rawLength <= UInt64(file.count - 8), rawLength <= 100 << 20 else {
            throw ModelFileError.malformed(url.path, "header length \(rawLength) out of range (file has \(file.count) bytes)")
        }
        let headerLength = Int(rawLength)
        let headerData = Data(bytes: file.base + 8, count: headerLength)
        guard let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
            throw ModelFileError.malformed(url.path, "header is not a JSON object")
        }
        dataStart = 8 + headerLength
        var tensors: [TensorInfo] = []
        var metadata: [String: String] = [:]
        for (name, entry) in header {
            if name == "__metadata__" {
                for (k, v) in entry as? [String: Any] ?? [:] { if let s = v as? String { metadata[k] = s } }
                continue
            }
            guard let e = entry as? [String: Any], let dt = e["dtype"] as? String, let shape = e["shape"] as? [Int],
                  let offsets = e["data_offsets"] as? [Int], offsets.count == 2 else {
                throw ModelFileError.malformed(url.path, "bad header entry for \(name)")
            }
            guard let dtype = DType(rawValue: dt) else { throw ModelFileError.unsupported("safetensors dtype \(dt) of \(name) in \(url.path) (supported: F32, F16, BF16)") }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, begin <= end else {
                throw ModelFileError.malformed(url.path, "tensor \(name) has data offsets [\(begin), \(end)] (negative or reversed)")
            }
            guard end <= file.count - dataStart else {
                throw ModelFileError.malformed(url.path, "tensor \(name) data [\(begin), \(end)] lies past the end of the file")
            }
            guard let count = GGUFFile.checkedProduct(shape), count * dtype.size == end - begin else {
                throw ModelFileError.malformed(url.path, "tensor \(name) data range does not match its shape \(shape)")
            }
            let info = TensorInfo(name: name, dtype: dtype, shape: shape, begin: begin, end: end)
            tensors.append(info)
        }
        tensors.sort { $0.begin < $1.begin }
        self.tensors = tensors
        self.metadata = metadata
        self.index = Dictionary(tensors.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public func info(_ name: String) -> TensorInfo? { index[name].map { tensors[$0] } }

    public func floats(_ name: String) throws -> [Float] {
        guard let info = info(name) else { throw ModelFileError.missingTensor(name) }
        var out = [Float](repeating: 0, count: info.elementCount)
        let source = file.base + dataStart + info.begin
        if info.dtype == .f32 {
            // safetensors does not promise 4-byte alignment of each tensor
            out.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(start: source, count: info.end - info.begin)) }
        } else {
            out.withUnsafeMutableBufferPointer { Dequantize.decode(info.dtype.ggml, from: source, count: info.elementCount, into: $0.baseAddress!) }
        }
        return out
    }

    /// Writes tensors (row-major Float values) in `dtype`, in the given order.
    public static func write(_ tensors: [(name: String, shape: [Int], values: [Float])], dtype: DType = .f32,
                             metadata: [String: String] = [:], to url: URL) throws {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for t in tensors {
            guard t.shape.reduce(1, *) == t.values.count else { throw ModelFileError.shapeMismatch(t.name, expected: t.shape, found: [t.values.count]) }
            let size = t.values.count * dtype.size
            header[t.name] = ["dtype": dtype.rawValue, "shape": t.shape, "data_offsets": [offset, offset + size]] as [String: Any]
            offset += size
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad the header with spaces so tensor data starts 8-byte aligned (as the HF writer does).
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        var out = Data()
        out.reserveCapacity(8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        for t in tensors {
            if dtype == .f32 {
                t.values.withUnsafeBytes { out.append(contentsOf: $0) }
            } else {
                out.append(contentsOf: Quantize.encode(t.values, as: dtype.ggml))
            }
        }
        try out.write(to: url, options: .atomic)
    }
}
