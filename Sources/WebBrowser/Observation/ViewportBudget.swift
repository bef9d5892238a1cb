import Foundation

/// How much text one observation window may hold, in the units of whoever reads it: usually the
/// student model's tokens, so that a window always fits the page part of the student's prompt.
///
/// WebArena's viewport is 720 pixels; a text agent's is its prompt. A window cut by line count alone
/// (60 lines) overflowed a 1,024-token student row: the prompt kept its first ~45 lines, `scroll [down]`
/// jumped a whole window, and lines ~45–60 of every window were never shown to anyone. With a budget
/// every line is in exactly one window that the reader sees whole.
public struct ViewportBudget: Sendable {
    /// The most a window's text may cost, counted with `cost`.
    public let limit: Int
    /// What the units are, for messages ("SmolLM2 tokens").
    public let unit: String
    private let measure: @Sendable (String) -> Int

    public init(limit: Int, unit: String, cost: @escaping @Sendable (String) -> Int) {
        self.limit = limit
        self.unit = unit
        measure = cost
    }

    public func cost(_ text: String) -> Int { measure(text) }
}

extension RenderedTree {
    /// The viewport's windows over the lines below the root: consecutive, non-empty ranges of indices
    /// into `lines` that together hold every line once. A window ends after `size` lines (none when
    /// `size` ≤ 0) or before the line that would take its text over `budget.limit - reserved`; a line
    /// too long for any window gets one of its own (the reader truncates it, nothing else is lost).
    public func windows(size: Int, budget: ViewportBudget?, reserved: Int = 0) -> [Range<Int>] {
        guard lines.count > 1 else { return [1..<1] }
        guard let budget else {
            guard size > 0 else { return [1..<lines.count] }
            return stride(from: 1, to: lines.count, by: size).map { $0..<min(lines.count, $0 + size) }
        }
        let limit = budget.limit - reserved
        var windows: [Range<Int>] = []
        var start = 1, spent = 0
        for i in 1..<lines.count {
            // The newline that joins the line to the one before it is part of its cost.
            let cost = budget.cost(String(repeating: "\t", count: lines[i].depth) + lines[i].text) + 1
            let full = (size > 0 && i - start >= size) || spent + cost > limit
            if i > start, full {
                windows.append(start..<i)
                start = i
                spent = 0
            }
            spent += cost
        }
        windows.append(start..<lines.count)
        return windows
    }

    /// The root line and the lines of `window`, as text.
    public func text(lines window: Range<Int>) -> String {
        guard let first = lines.first else { return "" }
        var out = first.text
        for line in lines[window.clamped(to: 1..<max(1, lines.count))] {
            out += "\n" + String(repeating: "\t", count: line.depth) + line.text
        }
        return out
    }
}
