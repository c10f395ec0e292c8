import Foundation
import KakaoAuthTokens
import Logging
import Synchronization

/// `LOG_FORMAT=json`: one JSON object per line on standard output, for log shippers.
/// `{"ts":"2026-11-22T01:02:03.456Z","level":"info","label":"kakao-auth","message":"request","request_id":"…",…}`
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line =
            "{\"ts\":\(Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)).jsonQuoted)"
            + ",\"level\":\(event.level.rawValue.jsonQuoted),\"label\":\(label.jsonQuoted),\"message\":\(event.message.description.jsonQuoted)"
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) where !["ts", "level", "label", "message", "hb.request.id"].contains(key) {
            line += ",\(key.jsonQuoted):\(Self.json(value))"
        }
        line += "}\n"
        Self.output.withLock { _ in FileHandle.standardOutput.write(Data(line.utf8)) }
    }

    /// Lines from concurrent tasks must not interleave.
    private static let output = Mutex(())

    private static func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): text.jsonQuoted
        case .stringConvertible(let convertible): convertible.description.jsonQuoted
        case .array(let values): "[" + values.map(json).joined(separator: ",") + "]"
        case .dictionary(let members):
            "{" + members.sorted { $0.key < $1.key }.map { "\($0.key.jsonQuoted):\(json($0.value))" }.joined(separator: ",") + "}"
        }
    }
}
