import Foundation

/// The `SVGChart` line chart drawn into pixels, for figures that must be PNG files (`loss.png`):
/// the same axis ticks and layout, text in a built-in 5×7 bitmap font (drawn in capitals, so the
/// project needs no font library).
public enum RasterChart {
    public static func line(title: String, xLabel: String, yLabel: String, series: [SVGChart.Series],
                            width: Int = 640, height: Int = 360) -> Data {
        var canvas = Canvas(width: width, height: height)
        let size = SVGChart.Size(width: Double(width), height: Double(height))
        let plot = SVGChart.PlotArea(size: size)
        canvas.text(title, centerX: width / 2, top: 8, scale: 2)
        canvas.text(xLabel, centerX: Int((plot.left + plot.right) / 2), top: height - 18, scale: 1)
        canvas.verticalText(yLabel, centerY: Int((plot.top + plot.bottom) / 2), left: 4)
        let all = series.flatMap(\.points)
        guard !all.isEmpty else {
            canvas.text("no data", centerX: width / 2, top: height / 2, scale: 1)
            return canvas.png()
        }
        let xs = SVGChart.Axis(low: all.map(\.x).min()!, high: all.map(\.x).max()!, includeZero: false)
        let ys = SVGChart.Axis(low: all.map(\.y).min()!, high: all.map(\.y).max()!, includeZero: false)
        for t in ys.ticks {
            let y = Int(plot.y(t, ys).rounded())
            canvas.line(from: (Int(plot.left), y), to: (Int(plot.right), y), color: (227, 227, 227))
            let label = SVGChart.number(t)
            canvas.text(label, right: Int(plot.left) - 5, top: y - 3)
        }
        for t in xs.ticks {
            let x = Int(plot.x(t, xs).rounded())
            canvas.line(from: (x, Int(plot.bottom)), to: (x, Int(plot.bottom) + 4), color: (68, 68, 68))
            canvas.text(SVGChart.number(t), centerX: x, top: Int(plot.bottom) + 7, scale: 1)
        }
        canvas.line(from: (Int(plot.left), Int(plot.top)), to: (Int(plot.left), Int(plot.bottom)), color: (68, 68, 68))
        canvas.line(from: (Int(plot.left), Int(plot.bottom)), to: (Int(plot.right), Int(plot.bottom)), color: (68, 68, 68))
        for (i, s) in series.enumerated() {
            let color = Canvas.rgb(SVGChart.palette[i % SVGChart.palette.count])
            let points = s.points.map { (Int(plot.x($0.x, xs).rounded()), Int(plot.y($0.y, ys).rounded())) }
            for (a, b) in zip(points, points.dropFirst()) { canvas.line(from: a, to: b, color: color, thick: true) }
            if points.count <= 40 { for p in points { canvas.square(at: p, radius: 2, color: color) } }
            if series.count > 1 {
                let y = Int(plot.top) + 4 + i * 12
                canvas.square(at: (Int(plot.right) - 150, y + 3), radius: 3, color: color)
                canvas.text(s.name, left: Int(plot.right) - 140, top: y)
            }
        }
        return canvas.png()
    }

    /// An RGB pixel buffer with the few drawing operations the charts use.
    struct Canvas {
        let width: Int, height: Int
        var pixels: [UInt8]

        init(width: Int, height: Int) {
            self.width = width; self.height = height
            pixels = [UInt8](repeating: 255, count: width * height * 3)
        }

        func png() -> Data { PNGEncoder.encode(width: width, height: height, rgb: pixels) }

        static func rgb(_ hex: String) -> (UInt8, UInt8, UInt8) {
            let v = UInt32(hex.dropFirst(), radix: 16) ?? 0
            return (UInt8(v >> 16), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF))
        }

        mutating func set(_ x: Int, _ y: Int, _ c: (UInt8, UInt8, UInt8)) {
            guard x >= 0, x < width, y >= 0, y < height else { return }
            let i = (y * width + x) * 3
            pixels[i] = c.0; pixels[i + 1] = c.1; pixels[i + 2] = c.2
        }

        mutating func line(from a: (Int, Int), to b: (Int, Int), color: (UInt8, UInt8, UInt8), thick: Bool = false) {
            let n = max(abs(b.0 - a.0), abs(b.1 - a.1), 1)
            for i in 0...n {
                let x = a.0 + (b.0 - a.0) * i / n, y = a.1 + (b.1 - a.1) * i / n
                set(x, y, color)
                if thick { set(x, y + 1, color); set(x + 1, y, color) }
            }
        }

        mutating func square(at p: (Int, Int), radius: Int, color: (UInt8, UInt8, UInt8)) {
            for dy in -radius...radius { for dx in -radius...radius { set(p.0 + dx, p.1 + dy, color) } }
        }

        static func textWidth(_ s: String, scale: Int) -> Int { s.count * 6 * scale - scale }

        mutating func text(_ s: String, left: Int, top: Int, scale: Int = 1) {
            for (i, ch) in s.enumerated() {
                let rows = BitmapFont.glyph(ch)
                for (r, bits) in rows.enumerated() {
                    for c in 0..<5 where bits & (0x10 >> c) != 0 {
                        for sy in 0..<scale { for sx in 0..<scale {
                            set(left + i * 6 * scale + c * scale + sx, top + r * scale + sy, (34, 34, 34))
                        } }
                    }
                }
            }
        }

        mutating func text(_ s: String, centerX: Int, top: Int, scale: Int) {
            text(s, left: centerX - Self.textWidth(s, scale: scale) / 2, top: top, scale: scale)
        }

        mutating func text(_ s: String, right: Int, top: Int) {
            text(s, left: right - Self.textWidth(s, scale: 1), top: top)
        }

        /// Text rotated a quarter turn counter-clockwise (the y axis label).
        mutating func verticalText(_ s: String, centerY: Int, left: Int) {
            let start = centerY + Self.textWidth(s, scale: 1) / 2
            for (i, ch) in s.enumerated() {
                for (r, bits) in BitmapFont.glyph(ch).enumerated() {
                    for c in 0..<5 where bits & (0x10 >> c) != 0 {
                        set(left + r, start - (i * 6 + c), (34, 34, 34))
                    }
                }
            }
        }
    }
}

/// A 5×7 bitmap font: each glyph is seven rows, the low five bits of each row from left to right.
/// Lower-case letters are drawn as capitals; a character without a glyph is drawn as `?`.
enum BitmapFont {
    static func glyph(_ ch: Character) -> [UInt8] {
        let upper = Character(ch.uppercased())
        return glyphs[upper] ?? glyphs["?"]!
    }

    static let glyphs: [Character: [UInt8]] = [
        " ": [0, 0, 0, 0, 0, 0, 0],
        "0": [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E], "1": [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
        "2": [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F], "3": [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
        "4": [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02], "5": [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
        "6": [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E], "7": [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        "8": [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E], "9": [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
        "A": [0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11], "B": [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E],
        "C": [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E], "D": [0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C],
        "E": [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F], "F": [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10],
        "G": [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F], "H": [0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        "I": [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E], "J": [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C],
        "K": [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11], "L": [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F],
        "M": [0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11], "N": [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
        "O": [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E], "P": [0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10],
        "Q": [0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D], "R": [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11],
        "S": [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E], "T": [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        "U": [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E], "V": [0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04],
        "W": [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A], "X": [0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11],
        "Y": [0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04], "Z": [0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F],
        ".": [0, 0, 0, 0, 0, 0x0C, 0x0C], ",": [0, 0, 0, 0, 0x0C, 0x04, 0x08], ":": [0, 0x0C, 0x0C, 0, 0x0C, 0x0C, 0],
        "-": [0, 0, 0, 0x1F, 0, 0, 0], "+": [0, 0x04, 0x04, 0x1F, 0x04, 0x04, 0], "/": [0x01, 0x01, 0x02, 0x04, 0x08, 0x10, 0x10],
        "(": [0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02], ")": [0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08],
        "%": [0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03], "<": [0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02],
        ">": [0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08], "=": [0, 0, 0x1F, 0, 0x1F, 0, 0], "_": [0, 0, 0, 0, 0, 0, 0x1F],
        "'": [0x04, 0x04, 0x08, 0, 0, 0, 0], "\"": [0x0A, 0x0A, 0, 0, 0, 0, 0], "[": [0x0E, 0x08, 0x08, 0x08, 0x08, 0x08, 0x0E],
        "]": [0x0E, 0x02, 0x02, 0x02, 0x02, 0x02, 0x0E], "?": [0x0E, 0x11, 0x01, 0x02, 0x04, 0, 0x04],
        "×": [0, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0], "·": [0, 0, 0, 0x04, 0, 0, 0],
    ]
}
