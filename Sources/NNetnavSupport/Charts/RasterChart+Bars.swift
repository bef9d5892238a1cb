import Foundation

extension RasterChart {
    /// `SVGChart.bars` drawn into pixels: one bar per category with its value on top and an
    /// optional error bar (an interval), for figures that must be PNG files.
    public static func bars(title: String, xLabel: String, yLabel: String, bars: [SVGChart.Bar],
                            yRange: ClosedRange<Double>? = nil, width: Int = 640, height: Int = 360) -> Data {
        var canvas = Canvas(width: width, height: height)
        let plot = SVGChart.PlotArea(size: SVGChart.Size(width: Double(width), height: Double(height)))
        canvas.text(title, centerX: width / 2, top: 8, scale: 2)
        canvas.text(xLabel, centerX: Int((plot.left + plot.right) / 2), top: height - 18, scale: 1)
        canvas.verticalText(yLabel, centerY: Int((plot.top + plot.bottom) / 2), left: 4)
        guard !bars.isEmpty else {
            canvas.text("no data", centerX: width / 2, top: height / 2, scale: 1)
            return canvas.png()
        }
        let highs = bars.map { max($0.value, $0.interval?.upperBound ?? $0.value) }
        let ys = yRange.map { SVGChart.Axis(low: $0.lowerBound, high: $0.upperBound, includeZero: true) }
            ?? SVGChart.Axis(low: 0, high: max(highs.max()!, 1e-9), includeZero: true)
        for t in ys.ticks {
            let y = Int(plot.y(t, ys).rounded())
            canvas.line(from: (Int(plot.left), y), to: (Int(plot.right), y), color: (227, 227, 227))
            canvas.text(SVGChart.number(t), right: Int(plot.left) - 5, top: y - 3)
        }
        canvas.line(from: (Int(plot.left), Int(plot.top)), to: (Int(plot.left), Int(plot.bottom)), color: (68, 68, 68))
        canvas.line(from: (Int(plot.left), Int(plot.bottom)), to: (Int(plot.right), Int(plot.bottom)), color: (68, 68, 68))
        let slot = plot.width / Double(bars.count)
        let half = max(1, Int(slot * 0.35))
        let fill = Canvas.rgb(SVGChart.palette[0])
        for (i, bar) in bars.enumerated() {
            let center = Int(plot.left + slot * (Double(i) + 0.5))
            let top = Int(plot.y(bar.value, ys).rounded()), bottom = Int(plot.bottom)
            if top < bottom {
                for y in top..<bottom { canvas.line(from: (center - half, y), to: (center + half, y), color: fill) }
            }
            var noteTop = top
            if let r = bar.interval {
                let y0 = Int(plot.y(r.lowerBound, ys).rounded()), y1 = Int(plot.y(r.upperBound, ys).rounded())
                canvas.line(from: (center, y0), to: (center, y1), color: (34, 34, 34))
                canvas.line(from: (center - 5, y0), to: (center + 5, y0), color: (34, 34, 34))
                canvas.line(from: (center - 5, y1), to: (center + 5, y1), color: (34, 34, 34))
                noteTop = min(top, y1)
            }
            canvas.text(bar.note ?? SVGChart.number(bar.value), centerX: center, top: noteTop - 11, scale: 1)
            if bars.count <= 24 { canvas.text(bar.label, centerX: center, top: bottom + 7, scale: 1) }
        }
        return canvas.png()
    }
}
