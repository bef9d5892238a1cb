import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A read-only memory map of a whole file. Model files are hundreds of megabytes; mapping them lets
/// the reader hand out pointers into tensor data without copying the file into memory first.
public final class MappedFile: @unchecked Sendable {
    public let url: URL
    public let count: Int
    public let base: UnsafeRawPointer

    public init(url: URL) throws {
        self.url = url
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { throw ModelFileError.cannotOpen(url.path, String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ModelFileError.cannotOpen(url.path, String(cString: strerror(errno))) }
        count = Int(info.st_size)
        guard count > 0 else { throw ModelFileError.malformed(url.path, "the file is empty") }
        guard let p = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw ModelFileError.cannotOpen(url.path, "mmap failed: \(String(cString: strerror(errno)))")
        }
        base = UnsafeRawPointer(p)
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), count) }
}

/// Errors from reading or writing model files (GGUF, safetensors, tokenizer.json).
public enum ModelFileError: Error, CustomStringConvertible, Sendable {
    case cannotOpen(String, String)
    case malformed(String, String)
    case unsupported(String)
    case missingTensor(String)
    case shapeMismatch(String, expected: [Int], found: [Int])
    case missingMetadata(String)

    public var description: String {
        switch self {
        case .cannotOpen(let p, let why): return "cannot open \(p): \(why)"
        case .malformed(let p, let why): return "\(p) is not a valid model file: \(why)"
        case .unsupported(let what): return "unsupported: \(what)"
        case .missingTensor(let n): return "the model file has no tensor named \(n)"
        case .shapeMismatch(let n, let e, let f): return "tensor \(n) has shape \(f), expected \(e)"
        case .missingMetadata(let k): return "the model file lacks metadata key \(k)"
        }
    }
}
