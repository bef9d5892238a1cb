import Foundation

/// Reading and appending JSON Lines files (one JSON value per line).
public enum JSONLines {
    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    public static func write<T: Encodable>(_ rows: [T], to url: URL) throws {
        let enc = encoder()
        var data = Data()
        for row in rows {
            data.append(try enc.encode(row))
            data.append(0x0A)
        }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url, options: .atomic)
    }

    /// Decodes every non-empty line; a bad line is reported with its number.
    public static func read<T: Decodable>(_ type: T.Type, from url: URL) throws -> [T] {
        let text = try String(contentsOf: url, encoding: .utf8)
        let dec = JSONDecoder()
        var rows: [T] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            do { rows.append(try dec.decode(T.self, from: Data(trimmed.utf8))) } catch {
                throw JSONLinesError.badLine(file: url.path, line: index + 1, underlying: "\(error)")
            }
        }
        return rows
    }
}

public enum JSONLinesError: Error, CustomStringConvertible {
    case badLine(file: String, line: Int, underlying: String)
    public var description: String {
        switch self {
        case .badLine(let f, let l, let u): return "\(f):\(l): not a valid JSON line: \(u)"
        }
    }
}
