import Foundation
import XCTest
@testable import HTTPServer

/// The server and router over real loopback sockets, byte for byte.
final class HTTPServerTests: XCTestCase {
    struct Boom: Error {}

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/") { _, _ in Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(string: "home")) }
        router.get("/f/:forum") { _, context in
            Response(status: .ok, body: .init(string: "forum=\(try context.parameters.require("forum"))"))
        }
        router.get("/f/:forum/:post") { _, context in
            let post = try context.parameters.require("post", as: Int.self)
            return Response(status: .ok, body: .init(string: "forum=\(context.parameters.get("forum") ?? "") post=\(post)"))
        }
        router.get("/users/me") { _, _ in Response(status: .ok, body: .init(string: "literal me")) }
        router.get("/users/:name") { _, context in Response(status: .ok, body: .init(string: "user \(context.parameters.get("name") ?? "")")) }
        router.get("/files/**") { _, context in
            Response(status: .ok, body: .init(string: "tail=" + context.parameters.getCatchAll().joined(separator: "/")))
        }
        router.get("/search") { request, _ in
            let q = request.uri.queryParameters
            return Response(status: .ok, body: .init(string: "q=\(q["q"] ?? "-") page=\(q.get("page", as: Int.self) ?? 1) raw=\(request.uri.query ?? "")"))
        }
        router.post("/login") { request, _ in
            let form = QueryParameters(encoded: request.bodyText)
            var response = Response.redirect(to: "/account")
            response.setCookie(Cookie(name: "session", value: "s-\(form["user"] ?? "")", path: "/", httpOnly: true))
            response.setCookie(Cookie(name: "theme", value: "dark"))
            return response
        }
        router.get("/account") { request, _ in
            Response(status: .ok, body: .init(string: "session=\(request.cookies["session"]?.value ?? "none") theme=\(request.cookies["theme"]?.value ?? "none")"))
        }
        router.post("/echo") { request, _ in
            Response(status: .ok, headers: [.contentType: request.headers[.contentType] ?? "none"], body: .init(bytes: request.body))
        }
        router.get("/forbidden") { _, _ in throw HTTPError(.forbidden, message: "not for you") }
        router.get("/crash") { _, _ in throw Boom() }
        router.get("/slow") { _, _ in
            try await Task.sleep(nanoseconds: 30_000_000_000)
            return Response(status: .ok)
        }
        router.get("/close") { _, _ in Response(status: .ok, headers: [.connection: "close"], body: .init(string: "bye")) }
        return router
    }

    func withServer<T>(_ configuration: HTTP1Server.Configuration = .init(),
                       _ body: (HTTP1Server) async throws -> T) async throws -> T {
        let server = try HTTP1Server.start(configuration, responder: makeRouter().buildResponder())
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    func get(_ client: RawClient, _ target: String, headers: String = "") throws -> RawResponse {
        client.send("GET \(target) HTTP/1.1\r\nHost: test\r\n\(headers)\r\n")
        return try client.readResponse()
    }

    func testRoutesMatchLiteralsBeforeParametersAndDecodeTheQuery() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.port)
            var r = try get(client, "/")
            XCTAssertEqual(r.statusLine, "HTTP/1.1 200 OK")
            XCTAssertEqual(r.text, "home")
            XCTAssertEqual(r.header("Content-Type"), "text/plain")
            XCTAssertEqual(r.header("Content-Length"), "4")
            XCTAssertNotNil(r.header("Date"))
            XCTAssertEqual(try get(client, "/f/books").text, "forum=books")
            XCTAssertEqual(try get(client, "/f/books/").text, "forum=books", "a trailing slash is the same path")
            XCTAssertEqual(try get(client, "/f/books/42").text, "forum=books post=42")
            r = try get(client, "/f/books/abc")
            XCTAssertEqual(r.status, 400, "a parameter that must be a number and is not")
            XCTAssertEqual(try get(client, "/users/me").text, "literal me")
            XCTAssertEqual(try get(client, "/users/ann").text, "user ann")
            XCTAssertEqual(try get(client, "/files/a/b/c.txt").text, "tail=a/b/c.txt")
            XCTAssertEqual(try get(client, "/files").status, 404, "** needs at least one segment")
            XCTAssertEqual(try get(client, "/search?q=two+words%21&page=3").text, "q=two words! page=3 raw=q=two+words%21&page=3")
            XCTAssertEqual(try get(client, "/search").text, "q=- page=1 raw=")
            XCTAssertEqual(try get(client, "http://test/f/x").text, "forum=x", "absolute-form target")

            r = try get(client, "/nowhere")
            XCTAssertEqual(r.status, 404)
            XCTAssertEqual(r.body, [])
            client.send("POST /f/books HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
            r = try client.readResponse()
            XCTAssertEqual(r.status, 405)
            XCTAssertEqual(r.header("Allow"), "GET, HEAD")
        }
    }

    func testFormBodiesAndCookies() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.port)
            let body = "user=ann+lee&password=p%40ss"
            client.send("POST /login HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            let r = try client.readResponse()
            XCTAssertEqual(r.statusLine, "HTTP/1.1 303 See Other")
            XCTAssertEqual(r.header("Location"), "/account")
            XCTAssertEqual(r.headers("Set-Cookie"), ["session=s-ann lee; Path=/; HttpOnly", "theme=dark"])
            XCTAssertEqual(try get(client, "/account", headers: "Cookie: theme=light; session=s-1\r\n").text, "session=s-1 theme=light")
            XCTAssertEqual(try get(client, "/account", headers: "Cookie: session=a\r\nCookie: theme=b\r\n").text, "session=a theme=b")
            XCTAssertEqual(try get(client, "/account").text, "session=none theme=none")
        }
    }

    func testKeepAliveServesManyRequestsOnOneConnectionIncludingPipelined() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.port)
            for i in 0..<20 { XCTAssertEqual(try get(client, "/f/n\(i)").text, "forum=n\(i)") }
            // Two requests in one write; the answers come back in order.
            client.send("GET /f/one HTTP/1.1\r\nHost: t\r\n\r\nPOST /echo HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /f/three HTTP/1.1\r\n\r\n")
            XCTAssertEqual(try client.readResponse().text, "forum=one")
            XCTAssertEqual(try client.readResponse().text, "abc")
            XCTAssertEqual(try client.readResponse().text, "forum=three")
            XCTAssertEqual(server.connectionCount, 1)
            // Connection: close from the client ends the connection after the answer.
            let r = try get(client, "/", headers: "Connection: close\r\n")
            XCTAssertEqual(r.header("Connection"), "close")
            XCTAssertTrue(client.isClosedByServer())

            // A handler may close too.
            let second = try RawClient(port: server.port)
            XCTAssertEqual(try get(second, "/close").header("Connection"), "close")
            XCTAssertTrue(second.isClosedByServer())

            // HTTP/1.0 closes unless asked to keep the connection.
            let old = try RawClient(port: server.port)
            old.send("GET / HTTP/1.0\r\n\r\n")
            XCTAssertEqual(try old.readResponse().text, "home")
            XCTAssertTrue(old.isClosedByServer())
            let kept = try RawClient(port: server.port)
            kept.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            XCTAssertEqual(try kept.readResponse().header("Connection"), "keep-alive")
            kept.send("GET /f/again HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            XCTAssertEqual(try kept.readResponse().text, "forum=again")
        }
    }

    func testHeadAnswersTheGetRouteWithoutItsBody() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.port)
            client.send("HEAD /f/books HTTP/1.1\r\n\r\n")
            // RawClient would read Content-Length bytes of body: read the head by hand instead.
            var received: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while !String(decoding: received, as: UTF8.self).contains("\r\n\r\n") {
                let n = recv(client.fd, &chunk, chunk.count, 0)
                XCTAssertGreaterThan(n, 0)
                if n <= 0 { return }
                received += chunk[0..<n]
            }
            let text = String(decoding: received, as: UTF8.self)
            XCTAssertTrue(text.hasPrefix("HTTP/1.1 200 OK\r\n"), text)
            XCTAssertTrue(text.contains("Content-Length: 11\r\n"), text)
            XCTAssertTrue(text.hasSuffix("\r\n\r\n"), "no body after the head: \(text)")
            // The connection is still in step: the next answer starts right away.
            XCTAssertEqual(try get(client, "/").text, "home")
        }
    }

    func testChunkedBodiesAndExpectContinue() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.port)
            client.send("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Type: text/x\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nTrailer: x\r\n\r\n")
            let r = try client.readResponse()
            XCTAssertEqual(r.text, "hello, world")
            XCTAssertEqual(r.header("Content-Type"), "text/x")

            client.send("POST /echo HTTP/1.1\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
            XCTAssertEqual(try client.readResponse().status, 100)
            client.send("data")
            XCTAssertEqual(try client.readResponse().text, "data")
        }
    }

    func testRequestsArrivingInPiecesAreReassembled() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.port)
            var one: Int32 = 1
            setsockopt(client.fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            for byte in "GET /f/slowly HTTP/1.1\r\nHost: t\r\n\r\n".utf8 {
                client.send([byte])
                usleep(500)
            }
            XCTAssertEqual(try client.readResponse().text, "forum=slowly")
            let pieces = ["POST /echo HTTP/1.1\r\nTransfer-", "Encoding: chunked\r\n\r\n3\r", "\nabc\r\n", "4\r\nde", "fg\r\n0\r\n", "\r\n"]
            for piece in pieces {
                client.send(piece)
                usleep(20_000)
            }
            XCTAssertEqual(try client.readResponse().text, "abcdefg")
        }
    }

    func testMalformedRequestsGet400AndTheServerKeepsServing() async throws {
        try await withServer { server in
            let cases = [
                "GARBAGE\r\n\r\n",
                "GET /\r\n\r\n",
                "GET / HTTP/1.1 extra\r\n\r\n",
                "GET nopath HTTP/1.1\r\n\r\n",
                "GET / HTTP/1.1\r\nNo colon here\r\n\r\n",
                "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
                "GET / HTTP/1.1\r\nX: a\r\n folded\r\n\r\n",
                "POST /echo HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
                "POST /echo HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
                "POST /echo HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
                "POST /echo HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                "GET /\u{1}x HTTP/1.1\r\n\r\n",
            ]
            for text in cases {
                let client = try RawClient(port: server.port)
                client.send(text)
                let r = try client.readResponse()
                XCTAssertEqual(r.status, 400, text)
                XCTAssertEqual(r.header("Connection"), "close", text)
                XCTAssertTrue(client.isClosedByServer(), text)
            }
            let binary = try RawClient(port: server.port)
            binary.send([0x16, 0x03, 0x01, 0x00, 0xff, 0x01, 0x00, 0x00, 0x0d, 0x0a, 0x0d, 0x0a]) // a TLS hello, roughly
            XCTAssertEqual(try binary.readResponse().status, 400)

            let version = try RawClient(port: server.port)
            version.send("GET / HTTP/2.0\r\n\r\n")
            XCTAssertEqual(try version.readResponse().status, 505)
            let coding = try RawClient(port: server.port)
            coding.send("POST /echo HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n")
            XCTAssertEqual(try coding.readResponse().status, 501)

            let after = try RawClient(port: server.port)
            XCTAssertEqual(try get(after, "/").text, "home", "the server still serves")
        }
    }

    func testOversizedBodiesGet413AndOversizedHeadsGet431() async throws {
        var configuration = HTTP1Server.Configuration()
        configuration.maxBodyBytes = 1000
        configuration.maxHeadBytes = 2000
        try await withServer(configuration) { server in
            let declared = try RawClient(port: server.port)
            declared.send("POST /echo HTTP/1.1\r\nContent-Length: 5000\r\n\r\n" + String(repeating: "x", count: 5000))
            var r = try declared.readResponse()
            XCTAssertEqual(r.statusLine, "HTTP/1.1 413 Content Too Large")
            XCTAssertTrue(declared.isClosedByServer())

            let chunked = try RawClient(port: server.port)
            chunked.send("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + String(repeating: "100\r\n" + String(repeating: "y", count: 256) + "\r\n", count: 5))
            XCTAssertEqual(try chunked.readResponse().status, 413)

            let head = try RawClient(port: server.port)
            head.send("GET / HTTP/1.1\r\nX-Big: " + String(repeating: "z", count: 5000) + "\r\n\r\n")
            r = try head.readResponse()
            XCTAssertEqual(r.status, 431)

            let endless = try RawClient(port: server.port)
            endless.send("GET /" + String(repeating: "a", count: 3000)) // no line end at all
            XCTAssertEqual(try endless.readResponse().status, 431)

            let fits = try RawClient(port: server.port)
            fits.send("POST /echo HTTP/1.1\r\nContent-Length: 1000\r\n\r\n" + String(repeating: "x", count: 1000))
            XCTAssertEqual(try fits.readResponse().body.count, 1000)
        }
    }

    func testAPartialRequestBlocksNobodyElseAndTimesOut() async throws {
        var configuration = HTTP1Server.Configuration()
        configuration.requestTimeout = 1
        try await withServer(configuration) { server in
            let slow = try RawClient(port: server.port)
            slow.send("GET / HTTP/1.1\r\nHost: sl")
            let started = Date()
            for _ in 0..<5 {
                let other = try RawClient(port: server.port)
                XCTAssertEqual(try get(other, "/").text, "home")
            }
            XCTAssertLessThan(Date().timeIntervalSince(started), 0.9, "others were served while the slow client dawdled")
            let r = try slow.readResponse()
            XCTAssertEqual(r.status, 408)
            XCTAssertTrue(slow.isClosedByServer())
        }
    }

    func testHandlerErrorsBecomeResponses() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.port)
            var r = try get(client, "/forbidden")
            XCTAssertEqual(r.status, 403)
            XCTAssertEqual(r.text, "not for you\n")
            r = try get(client, "/crash")
            XCTAssertEqual(r.status, 500)
            XCTAssertEqual(try get(client, "/").text, "home", "the connection survives a handler's error")
        }
    }

    func testPortZeroIsReadBackAndStopFreesThePortAndClosesConnections() async throws {
        let server = try HTTP1Server.start(responder: makeRouter().buildResponder())
        let port = server.port
        XCTAssertGreaterThan(port, 0)
        XCTAssertTrue(somethingListens(on: port))
        XCTAssertFalse(canBind(port))
        let idle = try RawClient(port: port)
        XCTAssertEqual(try get(idle, "/").text, "home")
        let waiting = try RawClient(port: port)
        waiting.send("GET /slow HTTP/1.1\r\n\r\n")
        try await Task.sleep(nanoseconds: 100_000_000)

        let started = Date()
        await server.stop()
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "a running handler is cancelled, not awaited for 30 s")
        XCTAssertEqual(server.connectionCount, 0)
        XCTAssertTrue(idle.isClosedByServer())
        XCTAssertFalse(somethingListens(on: port))
        XCTAssertTrue(canBind(port), "the port is free once stop returns")

        // The same port can be served again at once.
        let again = try HTTP1Server.start(.init(port: port), responder: makeRouter().buildResponder())
        XCTAssertEqual(again.port, port)
        XCTAssertEqual(try get(try RawClient(port: port), "/").text, "home")
        await again.stop()
    }

    func testStartingAndStoppingManyTimesLeaksNoDescriptorsOrThreads() async throws {
        // Warm up whatever the runtime opens once.
        try await withServer { server in _ = try get(try RawClient(port: server.port), "/") }
        let before = openDescriptorCount()
        for _ in 0..<30 {
            try await withServer { server in
                let kept = try RawClient(port: server.port)
                _ = try get(kept, "/")
                let other = try RawClient(port: server.port)
                other.send("GET / HTTP/1.1\r\n") // half a request, left hanging
            }
        }
        XCTAssertEqual(openDescriptorCount(), before)
    }

    func testRequestsAreAnsweredConcurrently() async throws {
        let router = Router()
        router.get("/wait") { _, _ in
            try await Task.sleep(nanoseconds: 300_000_000)
            return Response(status: .ok, body: .init(string: "done"))
        }
        let server = try HTTP1Server.start(responder: router.buildResponder())
        let port = server.port
        // Blocking clients on threads of their own (the test's task pool has only a few threads).
        let answers = Locked(value: [String]())
        let finished = DispatchGroup()
        let started = Date()
        for _ in 0..<8 {
            finished.enter()
            Thread {
                defer { finished.leave() }
                guard let client = try? RawClient(port: port) else { return }
                client.send("GET /wait HTTP/1.1\r\n\r\n")
                let text = (try? client.readResponse().text) ?? "failed"
                answers.withLock { $0.append(text) }
            }.start()
        }
        await withCheckedContinuation { continuation in finished.notify(queue: .global()) { continuation.resume() } }
        XCTAssertEqual(answers.withLock { $0 }, Array(repeating: "done", count: 8))
        XCTAssertLessThan(Date().timeIntervalSince(started), 1.0, "eight 0.3 s requests overlap")
        await server.stop()
    }

    func testMiddlewareWrapsEveryRequest() async throws {
        let seen = Locked(value: [String]())
        let router = Router()
        router.add(middleware: { request, context, next in
            seen.withLock { $0.append(request.uri.path) }
            var response = try await next(request, context)
            response.headers[.init("X-Seen")!] = "yes"
            return response
        })
        router.get("/a") { _, _ in Response(status: .ok) }
        let server = try HTTP1Server.start(responder: router.buildResponder())
        let client = try RawClient(port: server.port)
        XCTAssertEqual(try get(client, "/a").header("X-Seen"), "yes")
        XCTAssertEqual(try get(client, "/b").header("X-Seen"), "yes")
        XCTAssertEqual(seen.withLock { $0 }, ["/a", "/b"])
        await server.stop()
    }

    func testHeaderValuesCannotInjectLines() async throws {
        let router = Router()
        router.get("/") { _, _ in Response(status: .ok, headers: [.location: "/x\r\nSet-Cookie: evil=1"]) }
        let server = try HTTP1Server.start(responder: router.buildResponder())
        let r = try get(try RawClient(port: server.port), "/")
        XCTAssertEqual(r.headers("Set-Cookie"), [])
        XCTAssertEqual(r.header("Location"), "/x Set-Cookie: evil=1")
        await server.stop()
    }

    /// Peer and bound addresses are read back as text for both families (`ConnectionInfo`).
    func testSocketAddressesReadAsTextForIPv4AndIPv6() {
        func storage<Address>(_ address: Address) -> sockaddr_storage {
            var storage = sockaddr_storage()
            withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: address) { raw.copyMemory(from: $0) } }
            return storage
        }
        var v4 = sockaddr_in()
        v4.sin_family = sa_family_t(AF_INET)
        v4.sin_port = UInt16(8080).bigEndian
        XCTAssertEqual(inet_pton(AF_INET, "192.168.1.20", &v4.sin_addr), 1)
        let four = Socket.address(storage(v4))
        XCTAssertEqual(four.host, "192.168.1.20")
        XCTAssertEqual(four.port, 8080)

        var v6 = sockaddr_in6()
        v6.sin6_family = sa_family_t(AF_INET6)
        v6.sin6_port = UInt16(443).bigEndian
        XCTAssertEqual(inet_pton(AF_INET6, "fe80::1:2", &v6.sin6_addr), 1)
        let six = Socket.address(storage(v6))
        XCTAssertEqual(six.host, "fe80::1:2")
        XCTAssertEqual(six.port, 443)

        XCTAssertNil(Socket.address(sockaddr_storage()).host, "an unknown family has no text")
    }
}
