import CCurl
import Foundation

/// A flag another thread sets to abort a transfer in progress.
public final class TransferCancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    public init() {}
    public func cancel() { lock.withLock { cancelled = true } }
    public var isCancelled: Bool { lock.withLock { cancelled } }
}

/// A libcurl-backed HTTP client.
///
/// One client owns one curl easy handle, so connections are reused and, when
/// `keepsCookies` is set, cookies persist across requests: a browser session is one client.
/// Requests on one client are serialised; use several clients for parallel traffic.
public final class HTTPClient: @unchecked Sendable {
    public struct Configuration: Sendable {
        public var timeout: TimeInterval = 30
        public var connectTimeout: TimeInterval = 10
        public var maxBodyBytes: Int = 16 << 20
        public var followRedirects = true
        public var maxRedirects = 10
        public var keepsCookies = true
        public var allowFileURLs = false
        public var userAgent = "nnetnav/0.1 (+libcurl)"

        public init(timeout: TimeInterval = 30, connectTimeout: TimeInterval = 10, maxBodyBytes: Int = 16 << 20,
                    followRedirects: Bool = true, maxRedirects: Int = 10, keepsCookies: Bool = true,
                    allowFileURLs: Bool = false, userAgent: String = "nnetnav/0.1 (+libcurl)") {
            self.timeout = timeout
            self.connectTimeout = connectTimeout
            self.maxBodyBytes = maxBodyBytes
            self.followRedirects = followRedirects
            self.maxRedirects = maxRedirects
            self.keepsCookies = keepsCookies
            self.allowFileURLs = allowFileURLs
            self.userAgent = userAgent
        }
    }

    public let configuration: Configuration
    private let handle: UnsafeMutableRawPointer
    private let lock = NSLock()
    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public init(configuration: Configuration = .init()) {
        _ = Self.globalInit
        self.configuration = configuration
        guard let h = curl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
        self.handle = h
        if configuration.keepsCookies {
            // An empty file name turns on curl's in-memory cookie engine.
            nn_curl_setopt_string(h, CURLOPT_COOKIEFILE, "")
        }
    }

    deinit { curl_easy_cleanup(handle) }

    /// Sends a request and waits for the whole response, off the cooperative thread pool.
    ///
    /// The blocking curl call runs on a thread of its own, not on Dispatch's global pool: that
    /// pool is only as wide as the core count, so on a 2-core machine two slow requests would
    /// occupy it and stall every timer (`Task.sleep`, retry backoff) in the process until Dispatch
    /// adds a thread. A thread costs tens of microseconds; a request, milliseconds to seconds.
    ///
    /// Cancelling the calling task aborts the transfer within about a second (curl's progress
    /// callback runs at least that often, even on a silent connection) and throws
    /// `CancellationError`: Ctrl-C never waits out a long timeout.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let cancel = TransferCancellation()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let thread = Thread { continuation.resume(with: Result { try self.sendBlocking(request, cancellation: cancel) }) }
                thread.name = "nnetnav.http"
                thread.start()
            }
        } onCancel: {
            cancel.cancel()
        }
    }

    /// Sends a request on the calling thread; `cancellation` aborts it from another thread.
    public func sendBlocking(_ request: HTTPRequest, cancellation: TransferCancellation? = nil) throws -> HTTPResponse {
        lock.lock()
        defer { lock.unlock() }
        if cancellation?.isCancelled == true { throw CancellationError() }
        return try perform(request, cancellation: cancellation)
    }

    /// Cookies currently held, in Netscape cookie-file lines.
    public var cookieLines: [String] {
        lock.lock()
        defer { lock.unlock() }
        var list: UnsafeMutablePointer<curl_slist>?
        guard nn_curl_getinfo_slist(handle, CURLINFO_COOKIELIST, &list) == CURLE_OK else { return [] }
        defer { curl_slist_free_all(list) }
        var lines: [String] = []
        var node = list
        while let n = node {
            if let d = n.pointee.data { lines.append(String(cString: d)) }
            node = n.pointee.next
        }
        return lines
    }

    /// Forgets every cookie (a fresh browser profile).
    public func clearCookies() {
        lock.lock()
        defer { lock.unlock() }
        nn_curl_setopt_string(handle, CURLOPT_COOKIELIST, "ALL")
    }

    // MARK: - curl

    private final class Sink {
        var body = Data()
        var headerLines: [String] = []
        let limit: Int
        var overflow = false
        let cancellation: TransferCancellation?
        init(limit: Int, cancellation: TransferCancellation?) { self.limit = limit; self.cancellation = cancellation }
    }

    private func perform(_ request: HTTPRequest, cancellation: TransferCancellation?) throws -> HTTPResponse {
        let h = handle
        curl_easy_reset(h)
        if configuration.keepsCookies { nn_curl_setopt_string(h, CURLOPT_COOKIEFILE, "") }

        let lower = request.url.lowercased()
        let isFile = lower.hasPrefix("file:")
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") || isFile else {
            throw HTTPError.invalidURL(request.url)
        }
        if isFile && !configuration.allowFileURLs { throw HTTPError.protocolNotAllowed(url: request.url) }
        nn_curl_setopt_string(h, CURLOPT_PROTOCOLS_STR, configuration.allowFileURLs ? "http,https,file" : "http,https")
        nn_curl_setopt_string(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")

        nn_curl_setopt_string(h, CURLOPT_URL, request.url)
        nn_curl_setopt_long(h, CURLOPT_NOSIGNAL, 1)
        nn_curl_setopt_long(h, CURLOPT_FOLLOWLOCATION, configuration.followRedirects ? 1 : 0)
        nn_curl_setopt_long(h, CURLOPT_MAXREDIRS, configuration.maxRedirects)
        // A 303 or a 302 after POST becomes a GET, as browsers do.
        nn_curl_setopt_long(h, CURLOPT_POSTREDIR, 0)
        nn_curl_setopt_string(h, CURLOPT_ACCEPT_ENCODING, "")
        nn_curl_setopt_string(h, CURLOPT_USERAGENT, configuration.userAgent)
        let timeout = request.timeout ?? configuration.timeout
        nn_curl_setopt_long(h, CURLOPT_TIMEOUT_MS, Int(timeout * 1000))
        nn_curl_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, Int(configuration.connectTimeout * 1000))
        nn_curl_setopt_offset(h, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(configuration.maxBodyBytes))

        switch request.method {
        case .get: nn_curl_setopt_long(h, CURLOPT_HTTPGET, 1)
        case .head: nn_curl_setopt_long(h, CURLOPT_NOBODY, 1)
        case .post: nn_curl_setopt_long(h, CURLOPT_POST, 1)
        case .put, .delete: nn_curl_setopt_string(h, CURLOPT_CUSTOMREQUEST, request.method.rawValue)
        }

        var headerList: UnsafeMutablePointer<curl_slist>?
        for header in request.headers {
            headerList = curl_slist_append(headerList, "\(header.name): \(header.value)")
        }
        if request.body != nil, !request.headers.contains(where: { $0.name.lowercased() == "expect" }) {
            // curl would otherwise wait a second for "100 Continue" on larger bodies.
            headerList = curl_slist_append(headerList, "Expect:")
        }
        defer { curl_slist_free_all(headerList) }
        if headerList != nil { nn_curl_setopt_slist(h, CURLOPT_HTTPHEADER, headerList) }

        // The body must stay alive until curl_easy_perform returns.
        let bodyBytes = request.body.map { [UInt8]($0) } ?? []
        let sink = Sink(limit: configuration.maxBodyBytes, cancellation: cancellation)
        let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()

        let code: CURLcode = bodyBytes.withUnsafeBufferPointer { buffer in
            if request.body != nil {
                nn_curl_setopt_offset(h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(buffer.count))
                nn_curl_setopt_pointer(h, CURLOPT_POSTFIELDS,
                                       UnsafeMutableRawPointer(mutating: buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!))
            }
            nn_curl_setopt_write_function(h, CURLOPT_WRITEFUNCTION) { ptr, size, count, user in
                let sink = Unmanaged<Sink>.fromOpaque(user!).takeUnretainedValue()
                let n = size * count
                if sink.body.count + n > sink.limit { sink.overflow = true; return 0 }
                if let ptr { sink.body.append(UnsafeRawPointer(ptr).assumingMemoryBound(to: UInt8.self), count: n) }
                return n
            }
            nn_curl_setopt_pointer(h, CURLOPT_WRITEDATA, sinkPointer)
            nn_curl_setopt_write_function(h, CURLOPT_HEADERFUNCTION) { ptr, size, count, user in
                let sink = Unmanaged<Sink>.fromOpaque(user!).takeUnretainedValue()
                let n = size * count
                if let ptr {
                    let line = String(decoding: UnsafeRawBufferPointer(start: ptr, count: n), as: UTF8.self)
                    sink.headerLines.append(line.trimmingCharacters(in: .whitespacesAndNewlines))
                }
                return n
            }
            nn_curl_setopt_pointer(h, CURLOPT_HEADERDATA, sinkPointer)
            if cancellation != nil {
                nn_curl_setopt_long(h, CURLOPT_NOPROGRESS, 0)
                nn_curl_setopt_xferinfo_function(h) { user, _, _, _, _ in
                    let sink = Unmanaged<Sink>.fromOpaque(user!).takeUnretainedValue()
                    return sink.cancellation?.isCancelled == true ? 1 : 0
                }
                nn_curl_setopt_pointer(h, CURLOPT_XFERINFODATA, sinkPointer)
            }
            return curl_easy_perform(h)
        }

        if code != CURLE_OK {
            if code == CURLE_ABORTED_BY_CALLBACK, cancellation?.isCancelled == true { throw CancellationError() }
            let message = String(cString: curl_easy_strerror(code))
            switch code {
            case CURLE_OPERATION_TIMEDOUT: throw HTTPError.timedOut(url: request.url, seconds: timeout)
            case CURLE_FILESIZE_EXCEEDED: throw HTTPError.bodyTooLarge(url: request.url, limit: configuration.maxBodyBytes)
            case CURLE_WRITE_ERROR where sink.overflow:
                throw HTTPError.bodyTooLarge(url: request.url, limit: configuration.maxBodyBytes)
            case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
                throw HTTPError.connectionFailed(url: request.url, message: message)
            case CURLE_TOO_MANY_REDIRECTS: throw HTTPError.tooManyRedirects(url: request.url)
            case CURLE_UNSUPPORTED_PROTOCOL: throw HTTPError.protocolNotAllowed(url: request.url)
            case CURLE_URL_MALFORMAT: throw HTTPError.invalidURL(request.url)
            default: throw HTTPError.transport(url: request.url, code: Int(code.rawValue), message: message)
            }
        }

        var status = 0
        nn_curl_getinfo_long(h, CURLINFO_RESPONSE_CODE, &status)
        var effective: UnsafeMutablePointer<CChar>?
        nn_curl_getinfo_string(h, CURLINFO_EFFECTIVE_URL, &effective)
        var redirects = 0
        nn_curl_getinfo_long(h, CURLINFO_REDIRECT_COUNT, &redirects)
        var seconds = 0.0
        nn_curl_getinfo_double(h, CURLINFO_TOTAL_TIME, &seconds)

        return HTTPResponse(status: isFile && status == 0 ? 200 : status,
                            url: effective.map { String(cString: $0) } ?? request.url,
                            headers: Self.finalHeaders(sink.headerLines),
                            body: sink.body, redirectCount: redirects, elapsed: seconds)
    }

    /// Header lines of the last response only: after redirects curl reports every hop's headers.
    private static func finalHeaders(_ lines: [String]) -> [(name: String, value: String)] {
        var current: [(name: String, value: String)] = []
        for line in lines {
            if line.hasPrefix("HTTP/") { current = []; continue }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon]).trimmingCharacters(in: .whitespaces)
            let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            current.append((name, value))
        }
        return current
    }
}
