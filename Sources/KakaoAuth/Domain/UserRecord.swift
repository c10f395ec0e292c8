/// An account: our opaque id, the Kakao id it belongs to, the profile the user shared at Kakao, and what
/// operators let the user do (``AccountClaims``, which only they set). Plain
/// data; each store reads and writes it in its own terms (`Storage/SQLite/Records.swift`, the PostgreSQL
/// store's statements).
struct UserRecord: Equatable, Sendable {
    var id: String
    var kakaoID: Int64
    var nickname: String?
    var email: String?
    var emailVerified: Bool
    var profileImageURL: String?
    var thumbnailImageURL: String?
    var createdAt: Int64
    var updatedAt: Int64
    var lastLoginAt: Int64
    var claims: AccountClaims
}
