#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin wrappers over the POSIX socket calls the server makes.
enum Socket {
    struct Failure: Error, CustomStringConvertible {
        let call: String
        let code: Int32
        var description: String { "\(call) failed: \(String(cString: strerror(code)))" }
    }

    #if canImport(Darwin)
    static let streamType = SOCK_STREAM
    static let sendFlags: Int32 = 0
    #else
    static let streamType = Int32(SOCK_STREAM.rawValue)
    static let sendFlags = Int32(MSG_NOSIGNAL)
    #endif

    /// A listening socket on `host`:`port` (0: the kernel picks a free port), and the port bound.
    static func listen(host: String, port: Int, backlog: Int32) throws -> (fd: Int32, port: Int) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = streamType
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw Failure(call: "getaddrinfo(\(host)): \(String(cString: gai_strerror(status)))", code: 0)
        }
        defer { freeaddrinfo(list) }
        var lastError = Failure(call: "bind \(host):\(port)", code: EADDRNOTAVAIL)
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, streamType, 0)
            guard fd >= 0 else { lastError = Failure(call: "socket", code: errno); continue }
            var one: Int32 = 1
            _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            #if canImport(Darwin)
            _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
            #endif
            guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
                lastError = Failure(call: "bind \(host):\(port)", code: errno)
                close(fd)
                continue
            }
            guard systemListen(fd, backlog) == 0 else {
                lastError = Failure(call: "listen", code: errno)
                close(fd)
                continue
            }
            return (fd, localPort(fd) ?? port)
        }
        throw lastError
    }

    static func localPort(_ fd: Int32) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return ok == 0 ? address(storage).port : nil
    }

    /// The text address and port of a socket address.
    static func address(_ storage: sockaddr_storage) -> (host: String?, port: Int?) {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    (host(AF_INET, $0.pointee.sin_addr, size: INET_ADDRSTRLEN), Int(UInt16(bigEndian: $0.pointee.sin_port)))
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    (host(AF_INET6, $0.pointee.sin6_addr, size: INET6_ADDRSTRLEN), Int(UInt16(bigEndian: $0.pointee.sin6_port)))
                }
            }
        default:
            return (nil, nil)
        }
    }

    /// An IPv4 or IPv6 address (`in_addr`, `in6_addr`) as text.
    private static func host<Address>(_ family: Int32, _ address: Address, size: Int32) -> String? {
        var text = [CChar](repeating: 0, count: Int(size))
        let ok = withUnsafeBytes(of: address) { inet_ntop(family, $0.baseAddress, &text, socklen_t(text.count)) != nil }
        return ok ? Socket.text(text) : nil
    }

    /// A NUL-terminated C string buffer as text.
    static func text(_ chars: [CChar]) -> String {
        String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Accepts one connection; nil on a transient failure (the caller polls again).
    static func accept(_ listener: Int32) -> (fd: Int32, host: String?, port: Int?)? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let fd = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { systemAccept(listener, $0, &length) }
        }
        guard fd >= 0 else { return nil }
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        #if canImport(Darwin)
        _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        let peer = address(storage)
        return (fd, peer.host, peer.port)
    }

    enum Readiness { case readable, timedOut, failed }

    /// Waits until `fd` (or `wake`, when given) is readable, for at most `milliseconds` (-1: no limit).
    static func waitReadable(_ fd: Int32, wake: Int32? = nil, milliseconds: Int32) -> (Readiness, woken: Bool) {
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
        if let wake { fds.append(pollfd(fd: wake, events: Int16(POLLIN), revents: 0)) }
        while true {
            let n = poll(&fds, nfds_t(fds.count), milliseconds)
            if n < 0 {
                if errno == EINTR { continue }
                return (.failed, false)
            }
            if n == 0 { return (.timedOut, false) }
            if fds.count > 1, fds[1].revents != 0 { return (.readable, true) }
            return (.readable, false)
        }
    }

    /// Reads what is available (up to `max` bytes) onto `buffer`; false at end of stream or on error.
    static func read(_ fd: Int32, into buffer: inout [UInt8], max: Int = 64 << 10) -> Bool {
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: max))
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + old, max, 0) }
            if n < 0, errno == EINTR { continue }
            buffer.removeLast(max - Swift.max(n, 0))
            return n > 0
        }
    }

    /// Writes all of `bytes`; false when the peer went away (or the send timeout passed).
    static func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        return bytes.withUnsafeBytes { raw in
            while offset < raw.count {
                let n = send(fd, raw.baseAddress! + offset, raw.count - offset, sendFlags)
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { return false }
                offset += n
            }
            return true
        }
    }

    static func setSendTimeout(_ fd: Int32, seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: suseconds_t((seconds - Double(Int(seconds))) * 1e6))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }
}

// The module's own names would shadow these C calls inside `Socket`.
private func systemListen(_ fd: Int32, _ backlog: Int32) -> Int32 { listen(fd, backlog) }
private func systemAccept(_ fd: Int32, _ address: UnsafeMutablePointer<sockaddr>, _ length: UnsafeMutablePointer<socklen_t>) -> Int32 {
    accept(fd, address, length)
}
