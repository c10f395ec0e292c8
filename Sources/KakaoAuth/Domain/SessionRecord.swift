/// One login on one device, alive until revoked or `expiresAt`.
struct SessionRecord: Equatable, Sendable {
    var id: String
    var userID: String
    var createdAt: Int64
    var expiresAt: Int64
    var currentRefreshJTI: String
    var revokedAt: Int64?
    var revokedReason: String?
    /// The last rotation, or the opening.
    var lastUsedAt: Int64
    /// Who opened it, as the audit log records an origin.
    var userAgent: String?
    var clientIP: String?
}
