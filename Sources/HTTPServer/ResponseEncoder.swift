#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Writes a response as HTTP/1.1 bytes: the status line, the handler's headers (minus the framing
/// ones, which the server owns), Content-Length, Date, and `Connection: close` when closing.
enum ResponseEncoder {
    static func encode(_ response: Response, headOnly: Bool, close: Bool, http10KeepAlive: Bool = false,
                       serverName: String?) -> [UInt8] {
        var head = "HTTP/1.1 \(response.status.code) \(clean(response.status.reasonPhrase))\r\n"
        for field in response.headers {
            switch field.name {
            case .contentLength, .transferEncoding, .connection, .date: continue
            default: head += "\(field.name.rawName): \(clean(field.value))\r\n"
            }
        }
        if let serverName, !response.headers.contains(.server) { head += "Server: \(clean(serverName))\r\n" }
        head += "Date: \(HTTPDate.now())\r\n"
        if response.status.allowsBody { head += "Content-Length: \(response.body.count)\r\n" }
        if close {
            head += "Connection: close\r\n"
        } else if http10KeepAlive {
            head += "Connection: keep-alive\r\n"
        }
        head += "\r\n"
        var bytes = Array(head.utf8)
        if response.status.allowsBody, !headOnly { bytes.append(contentsOf: response.body.bytes) }
        return bytes
    }

    /// A header value or reason phrase with line breaks and NULs replaced, so a value cannot add
    /// header lines of its own.
    static func clean(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) else { return text }
        return String(text.map { $0 == "\r" || $0 == "\n" || $0 == "\r\n" || $0 == "\0" ? " " : $0 })
    }

    /// A plain-text response for requests the server refuses before routing.
    static func rejection(_ rejection: RequestRejection) -> Response {
        Response(status: rejection.status, headers: [.contentType: "text/plain; charset=utf-8"],
                 body: ResponseBody(string: rejection.message + "\n"))
    }
}

/// The IMF-fixdate for the Date header, formatted at most once a second.
enum HTTPDate {
    private static let cache = Locked(value: (second: 0, text: ""))

    static func now() -> String {
        let second = time(nil)
        return cache.withLock { entry in
            if entry.second != second { entry = (second, format(second)) }
            return entry.text
        }
    }

    static func format(_ seconds: time_t) -> String {
        var t = seconds
        var parts = tm()
        gmtime_r(&t, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}

/// A value behind a lock.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(value: Value) { self.value = value }
    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
