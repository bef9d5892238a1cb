import Foundation
import HTTPTransport

/// How to put a site back in its initial state between episodes or tasks: a shell command (e.g.
/// `docker restart shopping && sleep 60`) or an HTTP request to an endpoint the user runs. WebArena's
/// sites have no reset of their own; the user declares the hook per site in the site map.
public struct ResetHook: Codable, Sendable, Hashable {
    /// Run with `/bin/sh -c`; a non-zero exit is an error carrying its output.
    public var command: String?
    /// Requested with `method` (POST unless given); a non-2xx answer is an error.
    public var url: String?
    public var method: String?
    /// Seconds before the hook counts as failed.
    public var timeout: Double?

    public init(command: String? = nil, url: String? = nil, method: String? = nil, timeout: Double? = nil) {
        self.command = command
        self.url = url
        self.method = method
        self.timeout = timeout
    }

    public enum Failure: Error, CustomStringConvertible, Sendable {
        case notConfigured
        case command(String, status: Int32, output: String)
        case http(String, status: Int, body: String)
        case timedOut(String, seconds: Double)

        public var description: String {
            switch self {
            case .notConfigured: return "the reset hook names neither a command nor a url"
            case .command(let c, let s, let o): return "reset command `\(c)` exited with status \(s): \(o.suffix(500))"
            case .http(let u, let s, let b): return "reset endpoint \(u) answered HTTP \(s): \(b.prefix(300))"
            case .timedOut(let w, let s): return "reset \(w) did not finish within \(s) s"
            }
        }
    }

    public func run() async throws {
        let limit = timeout ?? 600
        if let command {
            let (status, output) = try await Self.shell(command, timeout: limit)
            guard status == 0 else { throw Failure.command(command, status: status, output: output) }
        } else if let url {
            let verb = HTTPRequest.Method(rawValue: (method ?? "POST").uppercased()) ?? .post
            let client = HTTPClient(configuration: .init(timeout: limit, keepsCookies: false))
            let response = try await client.send(HTTPRequest(method: verb, url: url))
            guard (200..<300).contains(response.status) else {
                throw Failure.http(url, status: response.status, body: String(decoding: response.body, as: UTF8.self))
            }
        } else {
            throw Failure.notConfigured
        }
    }

    /// Runs `/bin/sh -c command`, output and errors merged; kills it after `timeout` seconds.
    static func shell(_ command: String, timeout: Double) async throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let collected = OutputBuffer()
        pipe.fileHandleForReading.readabilityHandler = { handle in collected.append(handle.availableData) }
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline {
                process.terminate()
                throw Failure.timedOut("command `\(command)`", seconds: timeout)
            }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        pipe.fileHandleForReading.readabilityHandler = nil
        collected.append(pipe.fileHandleForReading.readDataToEndOfFile())
        return (process.terminationStatus, collected.text)
    }

    final class OutputBuffer: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func append(_ more: Data) { lock.withLock { data.append(more) } }
        var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
    }
}
