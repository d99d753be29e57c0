import SystemIO

/// Progress of one export on standard error: a redrawn bar on a terminal,
/// a line every few seconds for logs, or nothing.
public final class ProgressReporter {
    enum Mode { case bar, plain, none }

    private let mode: Mode
    private let total: UInt64
    private let title: String
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private var lastShown: ContinuousClock.Instant
    private var shownWidth = 0

    public init(style: ProgressStyle, total: UInt64, title: String) {
        switch style {
        case .automatic: mode = Terminal.isTerminal(Terminal.standardError) ? .bar : .none
        case .bar: mode = .bar
        case .plain: mode = .plain
        case .none: mode = .none
        }
        self.total = total
        self.title = title
        start = clock.now
        lastShown = start
    }

    var elapsedSeconds: Double { Self.seconds(clock.now - start) }

    /// Called often; draws at most ten times a second (bar) or every five seconds (plain).
    public func update(_ done: UInt64) {
        guard mode != .none else { return }
        let now = clock.now
        let interval: Duration = mode == .bar ? .milliseconds(100) : .seconds(5)
        guard now - lastShown >= interval else { return }
        lastShown = now
        show(done, final: false)
    }

    /// The last state, and a newline under the bar.
    public func finish(_ done: UInt64) {
        guard mode != .none else { return }
        show(done, final: true)
    }

    /// Clears the bar before an error line is printed under it.
    public func abandon() {
        guard mode == .bar, shownWidth > 0 else { return }
        emit("\r" + String(repeating: " ", count: shownWidth) + "\r")
        shownWidth = 0
    }

    private func show(_ done: UInt64, final: Bool) {
        let seconds = max(elapsedSeconds, 0.001)
        let rate = Double(done) / seconds
        let fraction = total == 0 ? 1 : min(1, Double(done) / Double(total))
        let percent = Int((fraction * 100).rounded(.down))
        var figures = "\(percent)%  \(ByteText.short(done)) of \(ByteText.short(total))  \(ByteText.short(UInt64(rate)))/s"
        if final {
            figures += "  in \(Self.clockText(seconds))"
        } else if rate > 0, done < total {
            figures += "  \(Self.clockText(Double(total - done) / rate)) left"
        }
        switch mode {
        case .bar:
            let columns = Terminal.columns(Terminal.standardError) ?? 80
            let barWidth = max(10, min(40, columns - figures.count - title.count - 6))
            let filled = Int(Double(barWidth) * fraction)
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: barWidth - filled)
            let line = "\(title) [\(bar)] \(figures)"
            let padding = max(0, shownWidth - line.count)
            emit("\r" + line + String(repeating: " ", count: padding) + (final ? "\n" : ""))
            shownWidth = final ? 0 : line.count
        case .plain:
            emit("mediafs: \(title): \(figures)\n")
        case .none:
            break
        }
    }

    private func emit(_ text: String) {
        let stderr = OpenFile(borrowing: Terminal.standardError, name: "standard error")
        try? stderr.write(Array(text.utf8))
    }

    static func seconds(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }

    /// 0:42, 12:05, 1:02:03.
    static func clockText(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        let two = { (n: Int) in n < 10 ? "0\(n)" : "\(n)" }
        if s >= 3600 { return "\(s / 3600):\(two(s / 60 % 60)):\(two(s % 60))" }
        return "\(s / 60):\(two(s % 60))"
    }
}
