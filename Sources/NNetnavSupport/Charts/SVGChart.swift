import Foundation

/// Charts as standalone SVG with text a reader needs: a title, labelled axes with tick values, a legend,
/// and error bars where a value has an interval. One definition used by the crawl viewer, the
/// evaluation and experiment reports and the trainer's loss plot, so every figure reads the same way.
public enum SVGChart {
    /// A named line of (x, y) points.
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public init(name: String, points: [(x: Double, y: Double)]) { self.name = name; self.points = points }
    }

    /// A bar with an optional interval drawn as an error bar (e.g. a success rate and its 95% interval).
    public struct Bar: Sendable {
        public var label: String
        public var value: Double
        public var interval: ClosedRange<Double>?
        /// Text drawn above the bar (e.g. "3/10"); the value itself when nil.
        public var note: String?
        /// Which series the bar belongs to (its colour, and its name in the legend), for grouped bars.
        public var series: Int
        public init(label: String, value: Double, interval: ClosedRange<Double>? = nil, note: String? = nil, series: Int = 0) {
            self.label = label; self.value = value; self.interval = interval; self.note = note; self.series = series
        }
    }

    public struct Size: Sendable {
        public var width: Double, height: Double
        public init(width: Double = 640, height: Double = 320) { self.width = width; self.height = height }
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"]
    static let margin = (left: 64.0, right: 16.0, top: 36.0, bottom: 52.0)

    /// Lines over a numeric x axis (loss vs step, tokens/s vs step).
    public static func line(title: String, xLabel: String, yLabel: String, series: [Series],
                            size: Size = Size()) -> String {
        let all = series.flatMap(\.points)
        guard !all.isEmpty else { return empty(title: title, size: size) }
        let xs = Axis(low: all.map(\.x).min()!, high: all.map(\.x).max()!, includeZero: false)
        let ys = Axis(low: all.map(\.y).min()!, high: all.map(\.y).max()!, includeZero: false)
        var svg = frame(title: title, xLabel: xLabel, yLabel: yLabel, size: size)
        let plot = PlotArea(size: size)
        svg += grid(x: xs, y: ys, plot: plot)
        for (i, s) in series.enumerated() where !s.points.isEmpty {
            let color = palette[i % palette.count]
            let path = s.points.map { "\(fmt(plot.x($0.x, xs))),\(fmt(plot.y($0.y, ys)))" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.8\" points=\"\(path)\"/>"
            if s.points.count <= 40 {
                for p in s.points {
                    svg += "<circle cx=\"\(fmt(plot.x(p.x, xs)))\" cy=\"\(fmt(plot.y(p.y, ys)))\" r=\"2.5\" fill=\"\(color)\"/>"
                }
            }
        }
        svg += legend(series.map(\.name), plot: plot)
        return svg + "</svg>"
    }

    /// Bars over named categories, with optional error bars (histograms, rates per arm or site).
    /// Consecutive bars with the same label form a group (one per series, e.g. before and after)
    /// labelled once; `legend` names the series.
    public static func bars(title: String, xLabel: String, yLabel: String, bars: [Bar],
                            yRange: ClosedRange<Double>? = nil, size: Size = Size(), legend: [String] = []) -> String {
        guard !bars.isEmpty else { return empty(title: title, size: size) }
        let highs = bars.map { max($0.value, $0.interval?.upperBound ?? $0.value) }
        let ys = yRange.map { Axis(low: $0.lowerBound, high: $0.upperBound, includeZero: true) }
            ?? Axis(low: 0, high: max(highs.max()!, 1e-9), includeZero: true)
        var svg = frame(title: title, xLabel: xLabel, yLabel: yLabel, size: size)
        let plot = PlotArea(size: size)
        svg += grid(x: nil, y: ys, plot: plot)
        let slot = plot.width / Double(bars.count)
        let barWidth = max(2, slot * 0.7)
        for (i, bar) in bars.enumerated() {
            let center = plot.left + slot * (Double(i) + 0.5)
            let top = plot.y(bar.value, ys)
            svg += "<rect x=\"\(fmt(center - barWidth / 2))\" y=\"\(fmt(top))\" width=\"\(fmt(barWidth))\" "
                + "height=\"\(fmt(max(0, plot.bottom - top)))\" fill=\"\(palette[bar.series % palette.count])\" fill-opacity=\"0.8\"><title>"
                + escape("\(bar.label): \(bar.note ?? number(bar.value))") + "</title></rect>"
            if let r = bar.interval {
                let y0 = plot.y(r.lowerBound, ys), y1 = plot.y(r.upperBound, ys)
                svg += "<path d=\"M\(fmt(center)) \(fmt(y0))V\(fmt(y1))M\(fmt(center - 5)) \(fmt(y0))h10M\(fmt(center - 5)) \(fmt(y1))h10\" stroke=\"#222\" stroke-width=\"1.4\" fill=\"none\"/>"
            }
            let noteY = min(top, bar.interval.map { plot.y($0.upperBound, ys) } ?? top) - 4
            svg += text(bar.note ?? number(bar.value), x: center, y: noteY, anchor: "middle", size: 11)
            let groupStarts = i == 0 || bars[i - 1].label != bar.label
            if bars.count <= 24, groupStarts {
                let size = bars[i...].prefix { $0.label == bar.label }.count
                svg += text(bar.label, x: center + slot * Double(size - 1) / 2, y: plot.bottom + 15, anchor: "middle", size: 11)
            }
        }
        // Above the plot, right of the title, so no bar (rates reach 100%) hides it.
        for (i, name) in legend.enumerated() where legend.count > 1 {
            let y = 12 + Double(i) * 13
            svg += "<rect x=\"\(fmt(plot.right - 110))\" y=\"\(fmt(y - 8))\" width=\"10\" height=\"10\" fill=\"\(palette[i % palette.count])\" fill-opacity=\"0.8\"/>"
            svg += text(name, x: plot.right - 95, y: y + 1, anchor: "start", size: 11)
        }
        return svg + "</svg>"
    }

    // MARK: Parts

    struct PlotArea {
        let left: Double, right: Double, top: Double, bottom: Double
        init(size: Size) {
            left = margin.left; right = size.width - margin.right
            top = margin.top; bottom = size.height - margin.bottom
        }
        var width: Double { right - left }
        func x(_ v: Double, _ a: Axis) -> Double { left + (v - a.low) / a.span * width }
        func y(_ v: Double, _ a: Axis) -> Double { bottom - (v - a.low) / a.span * (bottom - top) }
    }

    /// An axis with "nice" tick values (1, 2 or 5 times a power of ten).
    struct Axis {
        let low: Double, high: Double, ticks: [Double]
        var span: Double { high - low }
        init(low rawLow: Double, high rawHigh: Double, includeZero: Bool) {
            var lo = includeZero ? min(0, rawLow) : rawLow, hi = includeZero ? max(0, rawHigh) : rawHigh
            if hi - lo < 1e-12 { lo -= 0.5; hi += 0.5 }
            let rough = (hi - lo) / 5
            let power = pow(10, floor(log10(rough)))
            let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough } ?? 10 * power
            let first = floor(lo / step) * step, last = ceil(hi / step) * step
            low = first; high = last
            ticks = stride(from: first, through: last + step / 2, by: step).map { $0 }
        }
    }

    static func frame(title: String, xLabel: String, yLabel: String, size: Size) -> String {
        let w = fmt(size.width), h = fmt(size.height)
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\" "
            + "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" role=\"img\" aria-label=\"\(escape(title))\">"
            + "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
            + text(title, x: size.width / 2, y: 20, anchor: "middle", size: 14, weight: "bold")
            + text(xLabel, x: margin.left + (size.width - margin.left - margin.right) / 2, y: size.height - 10,
                   anchor: "middle", size: 12)
            + "<text x=\"14\" y=\"\(fmt(margin.top + (size.height - margin.top - margin.bottom) / 2))\" font-size=\"12\" "
            + "text-anchor=\"middle\" transform=\"rotate(-90 14 \(fmt(margin.top + (size.height - margin.top - margin.bottom) / 2)))\">"
            + escape(yLabel) + "</text>"
    }

    static func grid(x: Axis?, y: Axis, plot: PlotArea) -> String {
        var svg = ""
        for t in y.ticks {
            let py = plot.y(t, y)
            svg += "<line x1=\"\(fmt(plot.left))\" x2=\"\(fmt(plot.right))\" y1=\"\(fmt(py))\" y2=\"\(fmt(py))\" stroke=\"#e3e3e3\"/>"
            svg += text(number(t), x: plot.left - 6, y: py + 4, anchor: "end", size: 11)
        }
        if let x {
            for t in x.ticks {
                let px = plot.x(t, x)
                svg += "<line x1=\"\(fmt(px))\" x2=\"\(fmt(px))\" y1=\"\(fmt(plot.bottom))\" y2=\"\(fmt(plot.bottom + 4))\" stroke=\"#444\"/>"
                svg += text(number(t), x: px, y: plot.bottom + 16, anchor: "middle", size: 11)
            }
        }
        svg += "<path d=\"M\(fmt(plot.left)) \(fmt(plot.top))V\(fmt(plot.bottom))H\(fmt(plot.right))\" stroke=\"#444\" fill=\"none\"/>"
        return svg
    }

    static func legend(_ names: [String], plot: PlotArea) -> String {
        guard names.count > 1 else { return "" }
        var svg = ""
        for (i, name) in names.enumerated() {
            let y = plot.top + 6 + Double(i) * 16
            svg += "<rect x=\"\(fmt(plot.right - 150))\" y=\"\(fmt(y - 8))\" width=\"12\" height=\"3\" fill=\"\(palette[i % palette.count])\"/>"
            svg += text(name, x: plot.right - 132, y: y - 3, anchor: "start", size: 11)
        }
        return svg
    }

    static func empty(title: String, size: Size) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(fmt(size.width))\" height=\"\(fmt(size.height))\">"
            + text(title, x: size.width / 2, y: 20, anchor: "middle", size: 14, weight: "bold")
            + text("no data", x: size.width / 2, y: size.height / 2, anchor: "middle", size: 12) + "</svg>"
    }

    static func text(_ s: String, x: Double, y: Double, anchor: String, size: Int, weight: String = "normal") -> String {
        "<text x=\"\(fmt(x))\" y=\"\(fmt(y))\" font-size=\"\(size)\" font-weight=\"\(weight)\" text-anchor=\"\(anchor)\" fill=\"#222\">"
            + escape(s) + "</text>"
    }

    /// A tick or value label: integers without decimals, small values with up to three significant digits.
    public static func number(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e7 { return String(Int(v)) }
        let magnitude = abs(v)
        let digits = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3
        return String(format: "%.\(digits)f", v)
    }

    static func fmt(_ v: Double) -> String { String(format: "%.1f", v) }
    static func escape(_ s: String) -> String { HTML.escape(s) }
}
