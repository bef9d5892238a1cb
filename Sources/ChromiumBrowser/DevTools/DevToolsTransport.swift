import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How DevTools protocol messages travel between us and Chromium: one JSON message per call.
/// A browser we start speaks over a pipe pair; one already running (another machine, a
/// container) over the WebSocket its `--remote-debugging-port` opens.
protocol DevToolsTransport: AnyObject, Sendable {
    /// Sends one whole message. Callers serialize their sends.
    func send(_ message: Data) throws
    /// Blocks until the next whole message arrives; nil once the peer is gone.
    func receive() -> Data?
    /// Ends the connection (and, for a browser we started, the browser).
    func close()
}

/// `--remote-debugging-pipe`: NUL-terminated JSON on file descriptors 3 (to Chromium) and 4 (from it).
final class PipeTransport: DevToolsTransport, @unchecked Sendable {
    let process: ChromiumProcess
    private var buffer: [UInt8] = []  // only touched by the one reading thread

    init(process: ChromiumProcess) { self.process = process }

    func send(_ message: Data) throws {
        var bytes = message
        bytes.append(0)
        try FileDescriptorIO.writeAll(bytes, to: process.commandFD)
    }

    func receive() -> Data? {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            if let end = buffer.firstIndex(of: 0) {
                let message = Data(buffer[..<end])
                buffer.removeSubrange(...end)
                return message
            }
            let n = chunk.withUnsafeMutableBytes { read(process.replyFD, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }

    func close() { process.terminate() }
}

enum FileDescriptorIO {
    static func writeAll(_ bytes: Data, to fd: Int32) throws {
        try bytes.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ChromiumError.disconnected
                }
                offset += n
            }
        }
    }
}
