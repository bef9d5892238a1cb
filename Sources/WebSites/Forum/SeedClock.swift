/// Fixed timestamps for seed data: a site's clock starts at `epoch` and seed entities are placed
/// at minute offsets from it, so dates are as deterministic as the rest of the content.
public enum SeedClock {
    /// 2024-01-01 00:00 UTC.
    public static let epoch = 1_704_067_200

    /// "YYYY-MM-DD HH:MM" (UTC) for a Unix time, computed without Foundation calendars so the
    /// result never depends on the host's locale or time zone.
    public static func format(_ unixSeconds: Int) -> String {
        let days = unixSeconds >= 0 ? unixSeconds / 86_400 : (unixSeconds - 86_399) / 86_400
        let secondsOfDay = unixSeconds - days * 86_400
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(year)-\(two(month))-\(two(day)) \(two(secondsOfDay / 3600)):\(two(secondsOfDay % 3600 / 60))"
    }

    /// The seed time `minutes` after the epoch, formatted.
    public static func at(minutes: Int) -> String { format(epoch + minutes * 60) }
}

extension SeedClock {
    /// Parses "YYYY-MM-DD HH:MM" back to Unix seconds (nil if malformed).
    public static func parse(_ text: String) -> Int? {
        let parts = text.split(whereSeparator: { $0 == "-" || $0 == " " || $0 == ":" }).compactMap { Int($0) }
        guard parts.count == 5 else { return nil }
        let (y0, m, d) = (parts[0], parts[1], parts[2])
        // Howard Hinnant's days_from_civil.
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return days * 86_400 + parts[3] * 3600 + parts[4] * 60
    }

    /// The timestamp one minute after `text`, for content created on a running site.
    public static func after(_ text: String) -> String {
        format((parse(text) ?? epoch) + 60)
    }
}
