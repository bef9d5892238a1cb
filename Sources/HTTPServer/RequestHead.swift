/// A parsed request line and header block, before the body.
struct RequestHead: Sendable {
    var method: HTTPMethod
    var target: String
    var version: String
    var headers: HTTPHeaders

    /// Whether the client wants the connection kept after this request.
    var keepAlive: Bool {
        let tokens = headers.values(.connection).flatMap { $0.lowercased().split(separator: ",").map { $0.trimmingSpaces } }
        return version == "HTTP/1.0" ? tokens.contains("keep-alive") : !tokens.contains("close")
    }
}

/// How the request says its body is delimited.
enum BodyFraming: Equatable {
    case none
    case length(Int)
    case chunked
}

/// Why a request cannot be served; each becomes a response and the end of the connection.
struct RequestRejection: Error {
    let status: HTTPStatus
    let message: String
}

enum RequestHeadParser {
    enum Outcome {
        /// More bytes are needed.
        case incomplete
        /// The head, and the index just past its blank line.
        case complete(RequestHead, end: Int)
        case rejected(RequestRejection)
    }

    static let maxHeaderCount = 200

    /// Looks for a full head in `buffer[start...]` and parses it. Bare `\n` line ends are accepted
    /// alongside `\r\n`, and blank lines before the request line are skipped.
    ///
    /// `scanned` carries how far earlier calls on the same buffer looked for the blank line, so
    /// a head arriving a byte at a time is not searched again from its start on every byte.
    static func parse(_ buffer: [UInt8], from start: Int, limit: Int, scanned: inout Int) -> Outcome {
        var begin = start
        while begin < buffer.count, buffer[begin] == 13 || buffer[begin] == 10 { begin += 1 }
        var end: Int?
        var i = max(begin, scanned - 3)
        defer { scanned = max(scanned, i) }
        while i < buffer.count {
            if buffer[i] == 10 {
                if i + 1 < buffer.count, buffer[i + 1] == 10 { end = i + 2; break }
                if i + 2 < buffer.count, buffer[i + 1] == 13, buffer[i + 2] == 10 { end = i + 3; break }
            }
            if i - begin >= limit { break }
            i += 1
        }
        guard let end else {
            if buffer.count - begin > limit {
                return .rejected(RequestRejection(status: .requestHeaderFieldsTooLarge,
                                                  message: "The request head is larger than \(limit) bytes."))
            }
            return .incomplete
        }
        if end - begin > limit {
            return .rejected(RequestRejection(status: .requestHeaderFieldsTooLarge,
                                              message: "The request head is larger than \(limit) bytes."))
        }
        do {
            return .complete(try parseHead(buffer[begin..<end]), end: end)
        } catch let rejection as RequestRejection {
            return .rejected(rejection)
        } catch {
            return .rejected(RequestRejection(status: .badRequest, message: "Malformed request."))
        }
    }

    static func parseHead(_ bytes: ArraySlice<UInt8>) throws -> RequestHead {
        var lines = bytes.split(separator: 10, omittingEmptySubsequences: false).map { line -> ArraySlice<UInt8> in
            line.last == 13 ? line.dropLast() : line
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let requestLine = lines.first else { throw bad("Empty request.") }
        for line in lines where line.contains(where: { ($0 < 0x20 && $0 != 9) || $0 == 0x7F }) {
            throw bad("Control characters in the request head.")
        }

        let parts = requestLine.split(separator: 32, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else { throw bad("Malformed request line.") }
        guard parts[0].allSatisfy(HTTPHeaderName.isTokenByte) else { throw bad("Malformed method.") }
        let version = String(decoding: parts[2], as: UTF8.self)
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            if version.hasPrefix("HTTP/") {
                throw RequestRejection(status: .httpVersionNotSupported, message: "Only HTTP/1.0 and HTTP/1.1 are served.")
            }
            throw bad("Malformed HTTP version.")
        }
        guard parts[1].allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else { throw bad("Malformed request target.") }
        let target = try originForm(String(decoding: parts[1], as: UTF8.self))

        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            guard headers.count < maxHeaderCount else {
                throw RequestRejection(status: .requestHeaderFieldsTooLarge, message: "Too many header fields.")
            }
            guard let first = line.first, first != 32, first != 9 else { throw bad("Folded header lines are not accepted.") }
            guard let colon = line.firstIndex(of: 58),
                  let name = HTTPHeaderName(String(decoding: line[line.startIndex..<colon], as: UTF8.self)) else {
                throw bad("Malformed header field.")
            }
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self)
            headers.append(name, Substring(value).trimmingSpaces)
        }
        return RequestHead(method: HTTPMethod(rawValue: String(decoding: parts[0], as: UTF8.self)),
                           target: target, version: version, headers: headers)
    }

    /// `/path?q`, or the path of an absolute-form target (`http://host/path?q`), or `*`.
    static func originForm(_ target: String) throws -> String {
        if target.hasPrefix("/") || target == "*" { return target }
        for scheme in ["http://", "https://"] where target.lowercased().hasPrefix(scheme) {
            let rest = target.dropFirst(scheme.count)
            guard let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
            let tail = String(rest[slash...])
            return tail.hasPrefix("?") ? "/" + tail : tail
        }
        throw bad("Malformed request target.")
    }

    /// The body's framing, from Content-Length and Transfer-Encoding.
    static func framing(of head: RequestHead) throws -> BodyFraming {
        let encodings = head.headers.values(.transferEncoding)
        let lengths = head.headers.values(.contentLength)
        if !encodings.isEmpty {
            guard lengths.isEmpty else { throw bad("Both Content-Length and Transfer-Encoding were sent.") }
            let codings = encodings.flatMap { $0.lowercased().split(separator: ",").map { $0.trimmingSpaces } }
            guard codings == ["chunked"] else {
                throw RequestRejection(status: .notImplemented, message: "Only the chunked transfer coding is accepted.")
            }
            return .chunked
        }
        let values = Set(lengths.flatMap { $0.split(separator: ",").map { $0.trimmingSpaces } })
        guard let text = values.first else { return .none }
        guard values.count == 1, !text.isEmpty, text.count <= 18, text.allSatisfy({ $0.isASCII && $0.isNumber }),
              let length = Int(text) else {
            throw bad("Malformed Content-Length.")
        }
        return length == 0 ? .none : .length(length)
    }

    static func bad(_ message: String) -> RequestRejection { RequestRejection(status: .badRequest, message: message) }
}

/// Decoding a `Transfer-Encoding: chunked` body as it arrives. The decoder keeps the chunks
/// decoded so far, so each call only looks at bytes that arrived since a chunk last ended.
struct ChunkedBodyDecoder {
    enum Outcome {
        case incomplete
        case complete(body: [UInt8], end: Int)
        case rejected(RequestRejection)
    }

    static let maxLineLength = 4096

    /// Where the next chunk (or the last-chunk line) starts in the buffer.
    private(set) var position: Int
    private(set) var body: [UInt8] = []
    let limit: Int

    init(from start: Int, limit: Int) {
        position = start
        self.limit = limit
    }

    mutating func decode(_ buffer: [UInt8]) -> Outcome {
        while true {
            guard let (line, next) = Self.readLine(buffer, from: position) else {
                return buffer.count - position > Self.maxLineLength ? .rejected(RequestHeadParser.bad("Chunk size line too long.")) : .incomplete
            }
            let sizeText = line.prefix(while: { $0 != 59 }) // up to any ";extension"
            let hex = Substring(String(decoding: sizeText, as: UTF8.self)).trimmingSpaces
            guard !hex.isEmpty, hex.count <= 15, let size = Int(hex, radix: 16), size >= 0 else {
                return .rejected(RequestHeadParser.bad("Malformed chunk size."))
            }
            var cursor = next
            if size == 0 {
                // Trailer fields, ignored, up to a blank line.
                while true {
                    guard let (trailer, after) = Self.readLine(buffer, from: cursor) else {
                        return buffer.count - cursor > Self.maxLineLength ? .rejected(RequestHeadParser.bad("Trailer too long.")) : .incomplete
                    }
                    cursor = after
                    if trailer.isEmpty { return .complete(body: body, end: cursor) }
                }
            }
            guard body.count + size <= limit else {
                return .rejected(RequestRejection(status: .contentTooLarge, message: "The request body is larger than \(limit) bytes."))
            }
            guard buffer.count >= cursor + size + 1 else { return .incomplete }
            let data = buffer[cursor..<(cursor + size)]
            cursor += size
            // The chunk's data ends with CRLF (or a bare LF).
            if buffer[cursor] == 13 {
                guard buffer.count >= cursor + 2 else { return .incomplete }
                guard buffer[cursor + 1] == 10 else { return .rejected(RequestHeadParser.bad("Malformed chunk.")) }
                cursor += 2
            } else if buffer[cursor] == 10 {
                cursor += 1
            } else {
                return .rejected(RequestHeadParser.bad("Malformed chunk."))
            }
            body.append(contentsOf: data)
            position = cursor
        }
    }

    /// The line at `start` without its line end, and the index after it; nil when no line end has arrived.
    static func readLine(_ buffer: [UInt8], from start: Int) -> (ArraySlice<UInt8>, Int)? {
        guard start <= buffer.count, let newline = buffer[start...].prefix(maxLineLength + 2).firstIndex(of: 10) else { return nil }
        var line = buffer[start..<newline]
        if line.last == 13 { line = line.dropLast() }
        return (line, newline + 1)
    }
}
