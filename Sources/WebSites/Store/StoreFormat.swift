import Foundation

/// Formatting shared by the storefront and the back office.
enum StoreFormat {
    /// `$1,234.50` from cents.
    static func money(_ cents: Int) -> String {
        let negative = cents < 0
        let c = abs(cents)
        var dollars = String(c / 100)
        var grouped = ""
        while dollars.count > 3 {
            grouped = "," + dollars.suffix(3) + grouped
            dollars.removeLast(3)
        }
        return (negative ? "-$" : "$") + dollars + grouped + String(format: ".%02d", c % 100)
    }

    /// Parses "12.5", "$1,234.50" into cents; nil for anything else.
    static func cents(_ text: String) -> Int? {
        let cleaned = text.replacingOccurrences(of: "$", with: "").replacingOccurrences(of: ",", with: "")
            .trimmingCharacters(in: .whitespaces)
        guard let value = Double(cleaned), value >= 0, value < 1e9 else { return nil }
        return Int((value * 100).rounded())
    }

    /// `Mar 4, 2023` from `2023-03-04 10:22`.
    static func day(_ stamp: String) -> String {
        let parts = stamp.prefix(10).split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, (1...12).contains(parts[1]) else { return stamp }
        return "\(months[parts[1] - 1]) \(parts[2]), \(parts[0])"
    }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func stars(_ rating: Double) -> String { String(format: "%.1f out of 5", rating) }

    /// The current wall-clock time in the store's `YYYY-MM-DD HH:MM` format (UTC).
    static func now() -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm"
        return f.string(from: Date())
    }
}
