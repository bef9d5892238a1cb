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
        let path = url.path
        var reader = ByteReader(base: file.base, count: file.count, path: path)
        guard try reader.u32() == 0x4655_4747 else { throw ModelFileError.malformed(path, "no GGUF magic") }
        version = Int(try reader.u32())
        guard version == 2 || version == 3 else { throw ModelFileError.unsupported("GGUF version \(version) in \(path)") }
        // Every count is checked against the bytes left before anything is allocated for it: a
        // key-value pair takes at least 13 bytes (empty key, type, one byte), a tensor entry 32.
        let tensorCount = try reader.count(minimumBytesEach: 32, what: "tensor count")
        let kvCount = try reader.count(minimumBytesEach: 13, what: "metadata count")
        var metadata: [String: GGUFValue] = [:]
        var keys: [String] = []
        for _ in 0..<kvCount {
            let key = try reader.string()
            let wire = try reader.u32()
            metadata[key] = try reader.value(wire)
            keys.append(key)
        }
        let alignment: Int
        if let value = metadata["general.alignment"] {
            guard let a = value.intValue, a > 0, a <= 1 << 16, a & (a - 1) == 0 else {
                throw ModelFileError.malformed(path, "general.alignment must be a power of two from 1 to 65536, got \(value)")
            }
            alignment = a
        } else {
            alignment = 32
        }
        var tensors: [TensorInfo] = []
        for _ in 0..<tensorCount {
            let name = try reader.string()
            let dims = Int(try reader.u32())
            guard dims >= 1 && dims <= 4 else { throw ModelFileError.malformed(path, "tensor \(name) has \(dims) dimensions") }
            var ne: [Int] = []
            for _ in 0..<dims { ne.append(try reader.length()) }
            let code = try reader.u32()
            guard let type = GGMLType(rawValue: code) else {
                throw ModelFileError.unsupported("tensor \(name) in \(path) uses ggml type \(code) (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1)")
            }
            guard ne[0] % type.blockSize == 0 else { throw ModelFileError.malformed(path, "tensor \(name) rows are not whole blocks") }
            // The shape product and byte size are checked here, once: every later user (dequantising
            // under -Ounchecked) trusts `elementCount` and `byteCount`.
            guard Self.checkedProduct(ne) != nil else {
                throw ModelFileError.malformed(path, "tensor \(name) shape \(Array(ne.reversed())) has too many elements")
            }
            let offset = try reader.length()
            guard offset % alignment == 0 else {
                throw ModelFileError.malformed(path, "tensor \(name) offset \(offset) is not a multiple of the alignment \(alignment)")
            }
            tensors.append(TensorInfo(name: name, shape: ne.reversed(), type: type, offset: offset))
        }
        dataStart = (reader.position + alignment - 1) / alignment * alignment
        for t in tensors {
            // offset < 2^40 and byteCount < 2^47 (checked above), so the sum cannot overflow.
            guard dataStart <= file.count, t.offset + t.byteCount <= file.count - dataStart else {
                throw ModelFileError.malformed(path, "tensor \(t.name) extends past the end of the file (truncated download?)")
            }
        }
        self.metadata = metadata
        self.metadataKeys = keys
        self.tensors = tensors
        self.tensorIndex = Dictionary(tensors.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Product of tensor dimensions, nil when it exceeds 2^47 elements (far past any file this
    /// project can map, and small enough that `byteCount` and offset sums cannot overflow).
    static func checkedProduct(_ dims: [Int]) -> Int? {
        var product = 1
        for d in dims {
            guard d >= 0 else { return nil }
            let (p, overflow) = product.multipliedReportingOverflow(by: d)
            guard !overflow, p <= 1 << 47 else { return nil }
            product = p
        }
        return product
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
    /// A count of items that each take at least `minimumBytesEach` bytes of what is left of the file:
    /// a larger one is a lie, refused before `reserveCapacity` or a loop can act on it.
    mutating func count(minimumBytesEach: Int, what: String) throws -> Int {
        let n = try length()
        guard n <= (size - position) / minimumBytesEach else {
            throw ModelFileError.malformed(path, "\(what) \(n) is more than the \(size - position) bytes left can hold")
        }
        return n
    }
    mutating func string() throws -> String {
        let n = try length()
        guard n <= size - position else { throw ModelFileError.malformed(path, "string runs past the end") }
        defer { position += n }
        return String(decoding: UnsafeRawBufferPointer(start: base + position, count: n), as: UTF8.self)
    }
    /// Arrays may hold arrays, but only this deep: each level costs stack, and real files use one level.
    static let maxArrayDepth = 4

    mutating func value(_ code: UInt32, depth: Int = 0) throws -> GGUFValue {
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
            guard depth < Self.maxArrayDepth else {
                throw ModelFileError.malformed(path, "metadata arrays nested deeper than \(Self.maxArrayDepth) levels")
            }
            let inner = try u32()
            guard let innerWire = GGUFWireType(rawValue: inner) else { throw ModelFileError.malformed(path, "unknown metadata type \(inner)") }
            let n = try count(minimumBytesEach: innerWire.minimumBytes, what: "array length")
            var items: [GGUFValue] = []
            items.reserveCapacity(n)
            for _ in 0..<n { items.append(try value(inner, depth: depth + 1)) }
            return .array(items)
        }
    }
}
