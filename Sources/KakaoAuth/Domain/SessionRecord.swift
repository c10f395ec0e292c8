/// One login on one device, alive until revoked or `expiresAt`.
struct SessionRecord: Equatable, Sendable {
    var id: String
    var userID: String
    var createdAt: Int64
    var expiresAt: Int64
    var currentRefreshJTI: String
    var revokedAt: Int64?
    var revokedReason: String?
}
