import Foundation

/// A terminal progress bar written to standard error.
///
/// On a terminal it redraws one line; otherwise (CI logs, pipes) it prints a plain line at
/// most every few seconds so that logs stay readable, and a heartbeat line at least every
/// `heartbeat` seconds even when nothing finished: a redirected crawl whose episodes take minutes
/// each must still show that it is alive and what it is doing.
public final class ProgressBar: @unchecked Sendable {
    private let label: String
    private var total: Int
    private var done = 0
    private var extra = ""
    private let start = Date()
    private var lastDraw = Date.distantPast
    private let lock = NSLock()
    private let interactive: Bool
    private let unit: String
    private var ticker: DispatchSourceTimer?
    private var finished = false

    private let sink: @Sendable (String) -> Void

    /// `sink` receives every line (standard error unless a test captures it); `interactive` defaults to
    /// whether standard error is a terminal.
    public init(label: String, total: Int, unit: String = "it", heartbeat: Double = 30, interactive: Bool? = nil,
                sink: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.label = label
        self.total = max(total, 0)
        self.unit = unit
        self.sink = sink
        self.interactive = interactive ?? (isatty(STDERR_FILENO) != 0)
        if !self.interactive && heartbeat > 0 {
            let timer = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
            timer.schedule(deadline: .now() + heartbeat, repeating: heartbeat)
            timer.setEventHandler { [weak self] in self?.beat(every: heartbeat) }
            timer.resume()
            ticker = timer
        }
    }

    deinit { ticker?.cancel() }

    /// Prints the current state if no line went out for a whole heartbeat period.
    private func beat(every period: Double) {
        lock.lock()
        defer { lock.unlock() }
        guard !finished, Date().timeIntervalSince(lastDraw) >= period * 0.9 else { return }
        lastDraw = Date()
        draw()
    }

    /// Advances by `count` and sets the trailing status text (e.g. "calls 120 · tokens 1.2M").
    public func advance(by count: Int = 1, status: String? = nil) {
        lock.lock()
        done += count
        if let status { extra = status }
        let now = Date()
        let due = now.timeIntervalSince(lastDraw) > (interactive ? 0.1 : 5) || done >= total
        if due { lastDraw = now; draw() }
        lock.unlock()
    }

    public func update(status: String) {
        lock.lock()
        extra = status
        let now = Date()
        if now.timeIntervalSince(lastDraw) > (interactive ? 0.1 : 5) { lastDraw = now; draw() }
        lock.unlock()
    }

    public func setTotal(_ newTotal: Int) {
        lock.lock(); total = newTotal; lock.unlock()
    }

    /// Draws the final state and ends the line.
    public func finish() {
        lock.lock()
        finished = true
        ticker?.cancel()
        draw()
        if interactive { sink("\n") }
        lock.unlock()
    }

    private func draw() {
        let elapsed = Date().timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 0
        let width = 24
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let eta = rate > 0 && total > done ? Self.format(seconds: Double(total - done) / rate) : "-"
        let line = "\(label) \(bar) \(done)/\(total) [\(Self.format(seconds: elapsed)) < \(eta), "
            + String(format: "%.2f", rate) + " \(unit)/s]" + (extra.isEmpty ? "" : " " + extra)
        let output = interactive ? "\r\u{1B}[2K" + line : line + "\n"
        sink(output)
    }

    public static func format(seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                         : String(format: "%02d:%02d", s / 60, s % 60)
    }
}
