/// What one purge deleted, and how many bytes the database file gave back to the file system.
public struct PurgeReport: Sendable, Equatable, CustomStringConvertible {
    /// Sessions over or revoked (their refresh tokens go with them, uncounted).
    public var sessions = 0
    /// Rotated refresh tokens past their expiry.
    public var refreshTokens = 0
    /// Used server-side flow states and id_tokens past their expiry.
    public var usedCredentials = 0
    /// Erasures interrupted after Kakao's unlink, finished (see ``SessionStore/finishInterruptedErasures(now:)``).
    public var erasuresFinished = 0
    /// Interrupted erasures that failed again, left for the next purge.
    public var erasuresFailed = 0
    /// Audit events older than the retention.
    public var auditEvents = 0
    /// Audit events dated more than a day ahead of the purge's clock (a clock that once stepped forward):
    /// they wait for their date, and an operator should know.
    public var auditEventsAhead = 0
    public var bytesReturned: Int64 = 0

    /// How far ahead an event may be dated before it counts in ``auditEventsAhead``.
    static let plausibleClockSkew: Int64 = 86_400

    public var rowsDeleted: Int { sessions + refreshTokens + usedCredentials + auditEvents }

    /// Rows a purge deletes in one transaction: small enough that logins never wait long behind it.
    public static let batchSize = 500

    public var description: String {
        "\(sessions) sessions, \(refreshTokens) refresh tokens, \(usedCredentials) used states and id_tokens, "
            + "\(auditEvents) audit events, \(erasuresFinished) interrupted erasures finished"
            + (erasuresFailed > 0 ? " (\(erasuresFailed) failed again, left for the next purge)" : "") + "; "
            + "\(bytesReturned) bytes returned"
    }
}
