import Foundation

/// Text helpers on the hot path of every observation (each text node, name and style attribute
/// goes through them), written over UTF-8 bytes because HTML and CSS whitespace is ASCII.
extension String {
    /// Runs of whitespace become one space; leading and trailing whitespace is removed.
    ///
    /// Works on UTF-8 bytes (every HTML whitespace character is ASCII) and returns `self` when
    /// nothing changes, which is most text on a page: this runs on every text node and name.
    func collapsingWhitespace() -> String {
        var copy = self
        if let same = copy.withUTF8({ Self.collapsedBytes($0) }) { return same }
        return self
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D || byte == 0x0C
    }

    /// The collapsed text, or nil when `bytes` are already collapsed.
    private static func collapsedBytes(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var clean = true
        var previousSpace = true  // a leading space is not clean
        for byte in bytes {
            let space = isSpace(byte)
            if space && (previousSpace || byte != 0x20) { clean = false; break }
            previousSpace = space
        }
        if clean && !previousSpace || bytes.isEmpty { return nil }  // `previousSpace` here means a trailing space
        return String(unsafeUninitializedCapacity: bytes.count) { out in
            var count = 0
            var pendingSpace = false
            for byte in bytes {
                if isSpace(byte) {
                    pendingSpace = count > 0
                } else {
                    if pendingSpace { out[count] = 0x20; count += 1; pendingSpace = false }
                    out[count] = byte
                    count += 1
                }
            }
            return count
        }
    }

    /// A collapsed name as the Chromium backend's observation prints it: that backend trims every
    /// Unicode space from both ends of a name (`PageSnapshotter`), so a link whose text ends in
    /// `&nbsp;` or an ideographic space shows without it. Inner spaces stay. Most names start and
    /// end with ASCII, which is checked first.
    func trimmingObservedSpaces() -> String {
        guard let first = utf8.first, let last = utf8.last, first >= 0x80 || last >= 0x80 else { return self }
        return trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// True when the text is empty or only whitespace (Unicode whitespace included, as
    /// Foundation's `whitespacesAndNewlines`); decides on the first character for most text.
    var isBlank: Bool {
        for scalar in unicodeScalars {
            if scalar.isASCII {
                if !Self.isSpace(UInt8(scalar.value)) && scalar != "\u{0B}" { return false }
            } else if !scalar.properties.isWhitespace {
                return false
            }
        }
        return true
    }
}

extension StringProtocol {
    /// Without leading and trailing ASCII whitespace (CSS's and HTML's whitespace).
    func trimmingASCIIWhitespace() -> String {
        let text = Substring(self)
        let bytes = text.utf8
        var start = bytes.startIndex, end = bytes.endIndex
        func space(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D || b == 0x0C }
        while start < end, space(bytes[start]) { start = bytes.index(after: start) }
        while end > start, space(bytes[bytes.index(before: end)]) { end = bytes.index(before: end) }
        return String(text[start..<end])
    }
}
