/// The `User` of the API. Absent profile fields are `null`, never omitted; `kakao_id` is a string because
/// Kakao ids exceed what a JavaScript number holds exactly.
struct UserResource: Encodable {
    let record: UserRecord

    /// The column names are the API's field names.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: UserRecord.CodingKeys.self)
        try container.encode(record.id, forKey: .id)
        try container.encode(String(record.kakaoID), forKey: .kakaoID)
        try container.encode(record.nickname, forKey: .nickname)
        try container.encode(record.email, forKey: .email)
        try container.encode(record.emailVerified, forKey: .emailVerified)
        try container.encode(record.profileImageURL, forKey: .profileImageURL)
        try container.encode(record.thumbnailImageURL, forKey: .thumbnailImageURL)
        try container.encode(Timestamp.rfc3339(record.createdAt), forKey: .createdAt)
        try container.encode(Timestamp.rfc3339(record.updatedAt), forKey: .updatedAt)
        try container.encode(Timestamp.rfc3339(record.lastLoginAt), forKey: .lastLoginAt)
    }
}
