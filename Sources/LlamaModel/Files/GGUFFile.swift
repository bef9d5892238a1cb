import Foundation

/// A GGUF model file (version 2 or 3), memory-mapped: metadata, tensor directory, tensor data.
///
/// Tensor shapes are reported row-major, outermost first (`[out, in]` for a linear weight),
/// i.e. reversed from GGUF's `ne` order.
public final class GGUFFile: @unchecked Sendable {
    public struct TensorInfo: Sendable, Hashable {
        public var name: String
        public var shape: [Int]
        public var type: GGMLType
        /// Offset from the start of the data section.
        public var offset: Int
        public var elementCount: Int { shape.reduce(1, *) }
        public var byteCount: Int { type.byteCount(elements: elementCount) }
    }

    public let url: URL
    public let version: Int
    public let metadata: [String: GGUFValue]
    /// Metadata keys in file order (so a rewrite keeps the order).
    public let metadataKeys: [String]
    public let tensors: [TensorInfo]
    private let tensorIndex: [String: Int]
    private let file: MappedFile
    private let dataStart: Int

    public init(url: URL) throws {
        file = try MappedFile(url: url)
        self.url = url
        var reader = ByteReader(base: file.base, count: file.count, path: url.path)
        guard try reader.u32() == 0x4655_4747 else { throw ModelFileError.malformed(url.path, "no GGUF magic") }
        version = Int(try reader.u32())
        guard version == 2 || version == 3 else { throw ModelFileError.unsupported("GGUF version \(version)") }
        let tensorCount = try reader.length()
        let kvCount = try reader.length()
        var metadata: [String: GGUFValue] = [:]
        var keys: [String] = []
        for _ in 0..<kvCount {
            let key = try reader.string()
            let wire = try reader.u32()
            metadata[key] = try reader.value(wire)
            keys.append(key)
        }
        var tensors: [TensorInfo] = []
        for _ in 0..<tensorCount {
            let name = try reader.string()
            let dims = Int(try reader.u32())
            guard dims >= 1 && dims <= 4 else { throw ModelFileError.malformed(url.path, "tensor \(name) has \(dims) dimensions") }
            var ne: [Int] = []
            for _ in 0..<dims { ne.append(try reader.length()) }
            let code = try reader.u32()
            guard let type = GGMLType(rawValue: code) else {
                throw ModelFileError.unsupported("tensor \(name) uses ggml type \(code) (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1)")
            }
            guard ne[0] % type.blockSize == 0 else { throw ModelFileError.malformed(url.path, "tensor \(name) rows are not whole blocks") }
            tensors.append(TensorInfo(name: name, shape: ne.reversed(), type: type, offset: try reader.length()))
        }
        let alignment = metadata["general.alignment"]?.intValue ?? 32
        dataStart = (reader.position + alignment - 1) / alignment * alignment
        for t in tensors where dataStart + t.offset + t.byteCount > file.count {
            throw ModelFileError.malformed(url.path, "tensor \(t.name) extends past the end of the file (truncated download?)")
        }
        self.metadata = metadata
        self.metadataKeys = keys
        self.tensors = tensors
        self.tensorIndex = Dictionary(tensors.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public func info(_ name: String) -> TensorInfo? { tensorIndex[name].map { tensors[$0] } }

    /// Raw bytes of a tensor, valid while this file object lives.
    public func rawData(_ info: TensorInfo) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: file.base + dataStart + info.offset, count: info.byteCount)
    }

    /// A tensor decoded to Float, row-major.
    public func floats(_ name: String) throws -> [Float] {
        guard let info = info(name) else { throw ModelFileError.missingTensor(name) }
        var out = [Float](repeating: 0, count: info.elementCount)
        let raw = rawData(info)
        out.withUnsafeMutableBufferPointer { Dequantize.decode(info.type, from: raw.baseAddress!, count: info.elementCount, into: $0.baseAddress!) }
        return out
    }

    public subscript(key: String) -> GGUFValue? { metadata[key] }
}

/// Little-endian cursor over the mapped header with bounds checks, so a truncated or corrupt
/// file gives an error instead of a crash.
struct ByteReader {
    let base: UnsafeRawPointer
    let size: Int
    let path: String
    var position = 0

    init(base: UnsafeRawPointer, count: Int, path: String) { self.base = base; self.size = count; self.path = path }

    mutating func take<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let size = MemoryLayout<T>.size
        guard position + size <= self.size else { throw ModelFileError.malformed(path, "unexpected end of header") }
        defer { position += size }
        return T(littleEndian: base.loadUnaligned(fromByteOffset: position, as: T.self))
    }
    mutating func u32() throws -> UInt32 { try take(UInt32.self) }
    mutating func length() throws -> Int {
        let v = try take(UInt64.self)
        guard v < UInt64(1) << 40 else { throw ModelFileError.malformed(path, "implausible count \(v)") }
        return Int(v)
    }
    mutating func string() throws -> String {
        let n = try length()
        guard position + n <= self.size else { throw ModelFileError.malformed(path, "string runs past the end") }
        defer { position += n }
        return String(decoding: UnsafeRawBufferPointer(start: base + position, count: n), as: UTF8.self)
    }
    mutating func value(_ code: UInt32) throws -> GGUFValue {
        guard let wire = GGUFWireType(rawValue: code) else { throw ModelFileError.malformed(path, "unknown metadata type \(code)") }
        switch wire {
        case .uint8: return .uint(UInt64(try take(UInt8.self)))
        case .int8: return .int(Int64(try take(Int8.self)))
        case .uint16: return .uint(UInt64(try take(UInt16.self)))
        case .int16: return .int(Int64(try take(Int16.self)))
        case .uint32: return .uint(UInt64(try take(UInt32.self)))
        case .int32: return .int(Int64(try take(Int32.self)))
        case .uint64: return .uint(try take(UInt64.self))
        case .int64: return .int(try take(Int64.self))
        case .float32: return .float(Double(Float(bitPattern: try take(UInt32.self))))
        case .float64: return .float(Double(bitPattern: try take(UInt64.self)))
        case .bool: return .bool(try take(UInt8.self) != 0)
        case .string: return .string(try string())
        case .array:
            let inner = try u32()
            let n = try length()
            var items: [GGUFValue] = []
            items.reserveCapacity(n)
            for _ in 0..<n { items.append(try value(inner)) }
            return .array(items)
        }
    }
}
