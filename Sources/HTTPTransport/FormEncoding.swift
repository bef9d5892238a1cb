import Foundation

/// Request bodies for HTML form submission.
public enum FormEncoding {
    /// `application/x-www-form-urlencoded` serialisation (WHATWG URL standard): space becomes `+`,
    /// everything but `*-._` and ASCII alphanumerics is percent-encoded as UTF-8.
    public static func urlEncoded(_ fields: [(name: String, value: String)]) -> String {
        fields.map { "\(escape($0.name))=\(escape($0.value))" }.joined(separator: "&")
    }

    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "*"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"):
                out.unicodeScalars.append(UnicodeScalar(byte))
            case UInt8(ascii: " "):
                out += "+"
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// Decodes an urlencoded query or body into ordered pairs (`+` is a space).
    public static func decodeURLEncoded(_ text: String) -> [(name: String, value: String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// A file part of a multipart body.
    public struct FilePart: Sendable {
        public var name: String
        public var filename: String
        public var contentType: String
        public var data: Data
        public init(name: String, filename: String, contentType: String = "application/octet-stream", data: Data) {
            self.name = name
            self.filename = filename
            self.contentType = contentType
            self.data = data
        }
    }

    /// A `multipart/form-data` body (RFC 7578) and its Content-Type with the boundary.
    public static func multipart(_ fields: [(name: String, value: String)], files: [FilePart] = [],
                                 boundary: String = "----nnetnav" + UUID().uuidString.replacingOccurrences(of: "-", with: ""))
        -> (contentType: String, body: Data) {
        var body = Data()
        func line(_ s: String) { body.append(contentsOf: Array((s + "\r\n").utf8)) }
        // Quotes and line breaks in names would end the header; browsers percent-encode them.
        func quoted(_ s: String) -> String {
            s.replacingOccurrences(of: "\"", with: "%22").replacingOccurrences(of: "\r", with: "%0D")
                .replacingOccurrences(of: "\n", with: "%0A")
        }
        for field in fields {
            line("--\(boundary)")
            line("Content-Disposition: form-data; name=\"\(quoted(field.name))\"")
            line("")
            line(field.value)
        }
        for file in files {
            line("--\(boundary)")
            line("Content-Disposition: form-data; name=\"\(quoted(file.name))\"; filename=\"\(quoted(file.filename))\"")
            line("Content-Type: \(file.contentType)")
            line("")
            body.append(file.data)
            line("")
        }
        line("--\(boundary)--")
        return ("multipart/form-data; boundary=\(boundary)", body)
    }
}
