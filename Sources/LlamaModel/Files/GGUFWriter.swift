import Foundation

/// Writes GGUF version 3 files: metadata plus tensors already encoded (see `Quantize`).
/// Used by tests to build tiny random models and by tools that export checkpoints.
public struct GGUFWriter {
    public struct Tensor {
        public var name: String
        /// Row-major, outermost first (reversed into GGUF `ne` order on write).
        public var shape: [Int]
        public var type: GGMLType
        public var bytes: [UInt8]
    }

    public var metadata: [(String, GGUFValue)] = []
    public var tensors: [Tensor] = []
    public var alignment = 32

    public init() {}

    public mutating func set(_ key: String, _ value: GGUFValue) {
        if let i = metadata.firstIndex(where: { $0.0 == key }) { metadata[i].1 = value } else { metadata.append((key, value)) }
    }

    /// Adds a tensor from Float values, encoding it as `type`.
    public mutating func add(_ name: String, shape: [Int], values: [Float], as type: GGMLType = .f32) {
        precondition(shape.reduce(1, *) == values.count, "\(name): \(values.count) values for shape \(shape)")
        tensors.append(Tensor(name: name, shape: shape, type: type, bytes: Quantize.encode(values, as: type)))
    }

    public func data() -> Data {
        var out = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func string(_ s: String) { let b = Array(s.utf8); u64(UInt64(b.count)); out.append(contentsOf: b) }
        func wireType(_ v: GGUFValue) -> GGUFWireType {
            switch v {
            case .uint: return .uint32
            case .int: return .int32
            case .float: return .float32
            case .bool: return .bool
            case .string: return .string
            case .array: return .array
            }
        }
        // Integers are written as 32-bit (as llama.cpp does for these keys) unless too large.
        func typeCode(_ v: GGUFValue) -> GGUFWireType {
            switch v {
            case .uint(let x) where x > UInt64(UInt32.max): return .uint64
            case .int(let x) where x > Int64(Int32.max) || x < Int64(Int32.min): return .int64
            default: return wireType(v)
            }
        }
        func value(_ v: GGUFValue, as code: GGUFWireType) {
            switch v {
            case .uint(let x): if code == .uint64 { u64(x) } else { u32(UInt32(truncatingIfNeeded: x)) }
            case .int(let x): if code == .int64 { u64(UInt64(bitPattern: x)) } else { u32(UInt32(bitPattern: Int32(truncatingIfNeeded: x))) }
            case .float(let x): u32(Float(x).bitPattern)
            case .bool(let b): out.append(b ? 1 : 0)
            case .string(let s): string(s)
            case .array(let items):
                let inner = items.first.map(typeCode) ?? .uint32
                let widest: GGUFWireType = items.contains { typeCode($0) == .uint64 || typeCode($0) == .int64 } ? (inner == .int32 || inner == .int64 ? .int64 : .uint64) : inner
                u32(widest.rawValue); u64(UInt64(items.count))
                for item in items { value(item, as: widest) }
            }
        }
        u32(0x4655_4747); u32(3)
        u64(UInt64(tensors.count)); u64(UInt64(metadata.count))
        for (key, v) in metadata { string(key); let code = typeCode(v); u32(code.rawValue); value(v, as: code) }
        var offset = 0
        var offsets: [Int] = []
        for t in tensors {
            string(t.name)
            u32(UInt32(t.shape.count))
            for d in t.shape.reversed() { u64(UInt64(d)) }
            u32(t.type.rawValue)
            u64(UInt64(offset))
            offsets.append(offset)
            offset += (t.bytes.count + alignment - 1) / alignment * alignment
        }
        let pad = (alignment - out.count % alignment) % alignment
        out.append(contentsOf: [UInt8](repeating: 0, count: pad))
        for t in tensors {
            out.append(contentsOf: t.bytes)
            let tail = (alignment - t.bytes.count % alignment) % alignment
            out.append(contentsOf: [UInt8](repeating: 0, count: tail))
        }
        return out
    }

    public func write(to url: URL) throws { try data().write(to: url, options: .atomic) }
}
