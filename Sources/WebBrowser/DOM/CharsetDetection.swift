import Foundation

/// Which character encoding a page's bytes are in, decided the way browsers decide (WHATWG
/// HTML "determining the character encoding"): a byte order mark, then the HTTP `Content-Type`
/// charset, then a `<meta>` in the first 1024 bytes; then, as Chromium's detector does for the
/// commonest mislabelling, bytes that are valid UTF-8 with non-ASCII text are read as UTF-8 whatever
/// the label says (a page labelled gb2312 but saved as UTF-8 used to parse as nothing at all).
enum CharsetDetection {
    /// The page as text: converted from its encoding when that is not UTF-8, with any
    /// undecodable byte replaced by U+FFFD (never dropped, never ending the page).
    static func text(of data: Data, httpCharset: String?) -> String {
        let (label, bomLength) = decide(data, httpCharset: httpCharset)
        let body = bomLength > 0 ? data.dropFirst(bomLength) : data[...]
        // `String(decoding:)` is the U+FFFD repair for UTF-8.
        if label == "utf-8" { return String(decoding: body, as: UTF8.self) }
        return String(decoding: convert(Data(body), from: label), as: UTF8.self)
    }

    /// The encoding's label (lower case) and the length of a byte order mark to skip.
    static func decide(_ data: Data, httpCharset: String?) -> (label: String, bomLength: Int) {
        let bytes = [UInt8](data.prefix(3))
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return ("utf-8", 3) }
        if bytes.starts(with: [0xFE, 0xFF]) { return ("utf-16be", 2) }
        if bytes.starts(with: [0xFF, 0xFE]) { return ("utf-16le", 2) }
        let declared = httpCharset.flatMap(normalized) ?? metaPrescan(data).flatMap(normalized)
        if declared == nil || declared == "utf-8" { return ("utf-8", 0) }
        // A label of UTF-16 in a header or meta without a BOM is read as UTF-8 (WHATWG).
        if declared!.hasPrefix("utf-16") { return ("utf-8", 0) }
        if isValidUTF8WithNonASCII(data) { return ("utf-8", 0) }
        return (declared!, 0)
    }

    private static func normalized(_ label: String) -> String? {
        let trimmed = label.trimmingCharacters(in: CharacterSet(charactersIn: " \t\n\r\u{0C}\"'")).lowercased()
        if trimmed.isEmpty { return nil }
        switch trimmed {
        case "utf8", "unicode-1-1-utf-8", "utf-8": return "utf-8"
        // WHATWG: these labels all mean GBK, which GB18030 decodes as a superset.
        case "gb2312", "gbk", "x-gbk", "chinese", "csgb2312", "iso-ir-58", "gb_2312-80", "gb_2312": return "gb18030"
        // WHATWG: latin1 and ascii labels mean windows-1252.
        case "iso-8859-1", "latin1", "ascii", "us-ascii", "l1", "iso8859-1", "cp1252": return "windows-1252"
        default: return trimmed
        }
    }

    /// The charset of a `<meta charset>` or `<meta http-equiv=content-type content="...;charset=">`
    /// in the first 1024 bytes (a simplified WHATWG prescan: attribute names and values, not comments).
    static func metaPrescan(_ data: Data) -> String? {
        let head = String(decoding: data.prefix(1024), as: UTF8.self).lowercased()
        var search = head.startIndex
        while let meta = head.range(of: "<meta", range: search..<head.endIndex) {
            let end = head[meta.upperBound...].firstIndex(of: ">") ?? head.endIndex
            let tag = head[meta.upperBound..<end]
            search = end
            guard let charset = tag.range(of: "charset") else { continue }
            var rest = tag[charset.upperBound...].drop { $0 == " " }
            guard rest.first == "=" else { continue }
            rest = rest.dropFirst().drop { $0 == " " || $0 == "\"" || $0 == "'" }
            let value = rest.prefix { !" \"';/>".contains($0) }
            if !value.isEmpty { return String(value) }
        }
        return nil
    }

    static func isValidUTF8WithNonASCII(_ data: Data) -> Bool {
        guard data.contains(where: { $0 >= 0x80 }) else { return false }
        return data.withUnsafeBytes { raw in
            String(validating: raw.bindMemory(to: UInt8.self), as: UTF8.self) != nil
        }
    }

    /// iconv to UTF-8, a U+FFFD for each byte it cannot decode; an encoding iconv does not know is
    /// read as windows-1252 (every byte is a character, so no text is lost).
    static func convert(_ data: Data, from label: String) -> Data {
        var converter = iconv_open("UTF-8", label)
        if converter == iconv_t(bitPattern: -1) { converter = iconv_open("UTF-8", "WINDOWS-1252") }
        guard converter != iconv_t(bitPattern: -1) else { return data }
        defer { iconv_close(converter) }
        var input = [UInt8](data)
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        input.withUnsafeMutableBufferPointer { inBuffer in
            var inPointer = UnsafeMutableRawPointer(inBuffer.baseAddress).map { $0.assumingMemoryBound(to: CChar.self) }
            var inLeft = inBuffer.count
            while inLeft > 0 {
                let (produced, failed) = buffer.withUnsafeMutableBufferPointer { outBuffer -> (Int, Bool) in
                    var outPointer = UnsafeMutableRawPointer(outBuffer.baseAddress).map { $0.assumingMemoryBound(to: CChar.self) }
                    var outLeft = outBuffer.count
                    let result = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
                    return (outBuffer.count - outLeft, result == -1 && errno != E2BIG)
                }
                output.append(contentsOf: buffer[..<produced])
                if failed {
                    // An undecodable (or truncated) byte: show it as U+FFFD and go on after it.
                    output.append(contentsOf: [0xEF, 0xBF, 0xBD])
                    inPointer = inPointer.map { $0 + 1 }
                    inLeft -= 1
                }
            }
        }
        return output
    }
}
