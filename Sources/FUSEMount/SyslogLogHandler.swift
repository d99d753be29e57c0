import Logging
import SystemIO

/// A swift-log handler writing to syslog (journald): what a mount daemon uses
/// once it runs in the background without a terminal.
public struct SyslogLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String

    public init(label: String) {
        self.label = label
        SystemLog.open(identifier: "mediafs")
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let level = event.level, message = event.message, extra = event.metadata
        let all = metadata.merging(extra ?? [:]) { $1 }
        let details = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let priority: SystemLog.Priority
        switch level {
        case .trace, .debug: priority = .debug
        case .info: priority = .info
        case .notice: priority = .notice
        case .warning: priority = .warning
        case .error, .critical: priority = .error
        }
        SystemLog.write(priority, "\(message)\(details)")
    }
}
