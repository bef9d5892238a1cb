import XCTest
@testable import WebBrowser

/// WHATWG "determining the character encoding" in the order browsers apply it: BOM, HTTP
/// header, `<meta>` prescan; then a UTF-8 validity check for mislabelled pages. Undecodable
/// bytes become U+FFFD; no text is dropped.
final class CharsetDetectionTests: XCTestCase {
    private func text(_ data: Data, header: String? = nil) -> String {
        let document = HTMLDocument.parse(data, url: "http://charset.test/", encoding: header)
        return ObservationRenderer.render(AccessibilityTree.build(from: document)).text(window: 0, size: 0)
    }

    func testPageLabelledGB2312ButSavedAsUTF8Renders() {
        let html = "<html><head><meta charset=gb2312><title>新闻</title></head><body><p>北京 weather</p></body></html>"
        let shown = text(Data(html.utf8))
        XCTAssertTrue(shown.contains("北京 weather"), shown)
        XCTAssertTrue(shown.contains("RootWebArea '新闻'"), shown)
        XCTAssertTrue(text(Data(html.utf8), header: "gb2312").contains("北京 weather"))
    }

    func testRealGB2312BytesDecodeFromTheMetaLabel() throws {
        // "中文" in GB2312.
        let bytes: [UInt8] = Array("<meta charset=\"gb2312\"><p>".utf8) + [0xD6, 0xD0, 0xCE, 0xC4] + Array("</p>".utf8)
        XCTAssertTrue(text(Data(bytes)).contains("StaticText '中文'"))
        XCTAssertEqual(CharsetDetection.metaPrescan(Data(bytes)), "gb2312")
    }

    func testHTTPHeaderBeatsMetaAndBOMBeatsBoth() {
        // "é" in windows-1252 is 0xE9; the header says latin1 (= windows-1252), the meta says utf-8.
        let latin: [UInt8] = Array("<meta charset=utf-8><p>caf".utf8) + [0xE9] + Array("</p>".utf8)
        XCTAssertTrue(text(Data(latin), header: "iso-8859-1").contains("café"))
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("<p>café</p>".utf8)
        XCTAssertTrue(text(Data(bom), header: "windows-1252").contains("café"))
        let utf16: [UInt8] = [0xFF, 0xFE] + "<p>hi é</p>".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        XCTAssertTrue(text(Data(utf16)).contains("hi é"))
    }

    func testBadBytesBecomeReplacementCharactersAndNothingIsDropped() {
        let broken: [UInt8] = Array("<p>before ".utf8) + [0xFF, 0xC3] + Array(" after</p><p>next</p>".utf8)
        let shown = text(Data(broken))
        XCTAssertTrue(shown.contains("before \u{FFFD}\u{FFFD} after"), shown)
        XCTAssertTrue(shown.contains("next"), shown)
        let badGB: [UInt8] = Array("<meta charset=gb2312><p>x ".utf8) + [0xD6, 0xFF] + Array(" y</p><p>tail</p>".utf8)
        let gb = text(Data(badGB))
        XCTAssertTrue(gb.contains("tail"), gb)
        XCTAssertTrue(gb.contains("\u{FFFD}"), gb)
    }

    func testUnknownLabelsFallBackWithoutLosingText() {
        let html: [UInt8] = Array("<meta charset=x-no-such-charset><p>plain ".utf8) + [0xE9] + Array("</p>".utf8)
        XCTAssertTrue(text(Data(html)).contains("plain é"))
    }
}
