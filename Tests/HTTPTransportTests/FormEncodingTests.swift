import XCTest
@testable import HTTPTransport

final class FormEncodingTests: XCTestCase {
    func testURLEncodingFollowsTheFormSerializer() {
        XCTAssertEqual(FormEncoding.urlEncoded([("q", "red hat & co"), ("é", "a+b=c/~*-._")]),
                       "q=red+hat+%26+co&%C3%A9=a%2Bb%3Dc%2F%7E*-._")
        let decoded = FormEncoding.decodeURLEncoded("q=red+hat+%26+co&empty=&flag")
        XCTAssertEqual(decoded.map(\.name), ["q", "empty", "flag"])
        XCTAssertEqual(decoded.map(\.value), ["red hat & co", "", ""])
    }

    func testMultipartBodyLayout() {
        let (type, body) = FormEncoding.multipart([("title", "Hi"), ("q\"x", "v")],
                                                  files: [.init(name: "f", filename: "a.txt", contentType: "text/plain", data: Data("abc".utf8))],
                                                  boundary: "BOUND")
        XCTAssertEqual(type, "multipart/form-data; boundary=BOUND")
        XCTAssertEqual(String(decoding: body, as: UTF8.self), """
        --BOUND\r\nContent-Disposition: form-data; name="title"\r\n\r\nHi\r\n\
        --BOUND\r\nContent-Disposition: form-data; name="q%22x"\r\n\r\nv\r\n\
        --BOUND\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nabc\r\n\
        --BOUND--\r\n
        """)
    }
}
