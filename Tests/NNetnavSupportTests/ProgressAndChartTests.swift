import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import NNetnavSupport

final class ProgressBarTests: XCTestCase {
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func append(_ s: String) { lock.lock(); lines.append(s); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
    }

    /// Redirected output (no terminal) still shows a long stage is alive when nothing finishes for a while.
    func testHeartbeatLinesWhenNothingAdvances() throws {
        let lines = Lines()
        let bar = ProgressBar(label: "explore", total: 4, unit: "episodes", heartbeat: 0.2, interactive: false,
                              sink: { lines.append($0) })
        bar.update(status: "calls 3")
        Thread.sleep(forTimeInterval: 0.9)
        let beats = lines.all.count
        XCTAssertGreaterThanOrEqual(beats, 2, "\(lines.all)")
        XCTAssertTrue(lines.all.allSatisfy { $0.hasSuffix("\n") && !$0.contains("\r") }, "plain lines, no redraws")
        XCTAssertTrue(lines.all.last!.contains("explore") && lines.all.last!.contains("0/4") && lines.all.last!.contains("calls 3"))
        bar.finish()
        let afterFinish = lines.all.count
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertEqual(lines.all.count, afterFinish, "no heartbeat after finish")
    }

    func testInteractiveRedrawsOneLine() {
        let lines = Lines()
        let bar = ProgressBar(label: "train", total: 2, heartbeat: 0.1, interactive: true, sink: { lines.append($0) })
        bar.advance()
        bar.advance()
        bar.finish()
        XCTAssertTrue(lines.all.filter { $0 != "\n" }.allSatisfy { $0.hasPrefix("\r") })
        XCTAssertEqual(lines.all.last, "\n")
    }
}

final class SVGChartTests: XCTestCase {
    func testLineChartHasTitleAxesTicksAndLegend() {
        let svg = SVGChart.line(title: "Loss <train>", xLabel: "step", yLabel: "loss", series: [
            .init(name: "train", points: [(1, 2.6), (2, 2.1), (3, 1.7)]),
            .init(name: "validation", points: [(1, 2.7), (3, 2.0)]),
        ])
        XCTAssertTrue(svg.hasPrefix("<svg"))
        XCTAssertTrue(svg.contains(">Loss &lt;train&gt;</text>"), "titles are escaped")
        XCTAssertTrue(svg.contains(">step</text>") && svg.contains(">loss</text>"))
        XCTAssertTrue(svg.contains(">train</text>") && svg.contains(">validation</text>"), "legend")
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 2)
        XCTAssertTrue(svg.hasSuffix("</svg>"))
        // XML well-formed (a browser refuses to draw otherwise).
        XCTAssertNoThrow(try XMLDocument(xmlString: svg))
    }

    func testNiceTicksCoverTheData() {
        let axis = SVGChart.Axis(low: 1.53, high: 2.66, includeZero: false)
        XCTAssertLessThanOrEqual(axis.low, 1.53)
        XCTAssertGreaterThanOrEqual(axis.high, 2.66)
        XCTAssertEqual(axis.ticks.first, axis.low)
        let steps = zip(axis.ticks.dropFirst(), axis.ticks).map { $0 - $1 }
        XCTAssertTrue(steps.allSatisfy { abs($0 - steps[0]) < 1e-9 })
        XCTAssertTrue([0.1, 0.2, 0.5].contains { abs($0 - steps[0]) < 1e-9 }, "\(steps)")
        let flat = SVGChart.Axis(low: 3, high: 3, includeZero: false)
        XCTAssertLessThan(flat.low, 3); XCTAssertGreaterThan(flat.high, 3)
    }

    func testBarsDrawIntervalsAsErrorBars() throws {
        let svg = SVGChart.bars(title: "Success", xLabel: "arm", yLabel: "rate", bars: [
            .init(label: "base", value: 0.1, interval: 0.02...0.3, note: "1/10"),
            .init(label: "nnetnav", value: 0.3, interval: 0.1...0.6, note: "3/10"),
        ], yRange: 0...1)
        XCTAssertEqual(svg.components(separatedBy: "<rect x=").count - 1, 2)
        XCTAssertEqual(svg.components(separatedBy: "stroke=\"#222\"").count - 1, 2, "one error bar per bar")
        XCTAssertTrue(svg.contains(">3/10</text>") && svg.contains(">nnetnav</text>"))
        XCTAssertNoThrow(try XMLDocument(xmlString: svg))
        XCTAssertTrue(SVGChart.bars(title: "x", xLabel: "", yLabel: "", bars: []).contains("no data"))
    }
}

final class RasterChartTests: XCTestCase {
    func testPNGEncoderChecksums() {
        XCTAssertEqual(PNGEncoder.crc32(Array("IEND".utf8)), 0xAE42_6082)
        XCTAssertEqual(PNGEncoder.adler32(Array("Wikipedia".utf8)), 0x11E6_0398)
    }

    /// The PNG carries text: title, tick values and legend pixels appear where the layout puts them.
    func testLineChartDrawsTextAxesAndBothSeries() {
        var canvas = RasterChart.Canvas(width: 40, height: 10)
        canvas.text("10", left: 1, top: 1)
        // "1" has its top row at column 2 of the first glyph; "0" starts 6 pixels later.
        XCTAssertEqual(canvas.pixels[(1 * 40 + 3) * 3], 34)
        XCTAssertEqual(canvas.pixels[(1 * 40 + 1 + 6 + 1) * 3], 34)
        XCTAssertEqual(canvas.pixels[(9 * 40 + 39) * 3], 255)

        let png = RasterChart.line(title: "Training loss", xLabel: "step", yLabel: "loss", series: [
            .init(name: "train", points: [(1, 2.6), (2, 2.0), (3, 1.5)]),
            .init(name: "validation", points: [(3, 1.9)]),
        ], width: 320, height: 200)
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        XCTAssertEqual(BitmapFont.glyph("a"), BitmapFont.glyph("A"))
        XCTAssertEqual(BitmapFont.glyph("é"), BitmapFont.glyph("?"))
        for glyph in BitmapFont.glyphs.values { XCTAssertEqual(glyph.count, 7); XCTAssertTrue(glyph.allSatisfy { $0 < 32 }) }
    }
}
