import Foundation

/// A fragment of HTML. Interpolated `String`s are escaped; interpolated `HTML` is inserted as is,
/// so escaping cannot be forgotten:
///
/// ```swift
/// let row: HTML = "<td>\(product.name)</td><td>\(priceCell)</td>"
/// ```
public struct HTML: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible, Equatable {
    public private(set) var rendered: String

    public init(raw: String) { rendered = raw }
    /// Escaped text.
    public init(text: String) { rendered = HTML.escape(text) }
    public init(stringLiteral value: String) { rendered = value }
    public init(stringInterpolation: Interpolation) { rendered = stringInterpolation.output }

    public var description: String { rendered }
    public static let empty = HTML(raw: "")

    public struct Interpolation: StringInterpolationProtocol {
        var output = ""
        public init(literalCapacity: Int, interpolationCount: Int) { output.reserveCapacity(literalCapacity * 2) }
        public mutating func appendLiteral(_ literal: String) { output += literal }
        public mutating func appendInterpolation(_ html: HTML) { output += html.rendered }
        public mutating func appendInterpolation(_ items: [HTML]) { for item in items { output += item.rendered } }
        public mutating func appendInterpolation(_ text: String) { output += HTML.escape(text) }
        public mutating func appendInterpolation(_ text: Substring) { output += HTML.escape(String(text)) }
        public mutating func appendInterpolation<Number: BinaryInteger>(_ number: Number) { output += String(number) }
        public mutating func appendInterpolation(_ number: Double) { output += String(number) }
        public mutating func appendInterpolation(_ html: HTML?) { output += html?.rendered ?? "" }
    }

    public static func + (a: HTML, b: HTML) -> HTML { HTML(raw: a.rendered + b.rendered) }
    public static func += (a: inout HTML, b: HTML) { a.rendered += b.rendered }

    /// Escapes text for element content and double-quoted attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}

extension Array where Element == HTML {
    /// The fragments one after another.
    public func joined() -> HTML { HTML(raw: map(\.rendered).joined()) }

    /// The fragments with `separator` between them.
    public func joined(separator: HTML) -> HTML { HTML(raw: map(\.rendered).joined(separator: separator.rendered)) }
}
