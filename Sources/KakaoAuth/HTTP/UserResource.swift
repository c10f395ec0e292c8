/// The `User` of the API. Absent profile fields are `null`, never omitted; `kakao_id` is a string because
/// Kakao ids exceed what a JavaScript number holds exactly. `roles` and `app_metadata` are as stored now
/// (`[]` and `{}` when empty), which an access token issued before a change may not be yet.
struct UserResource {
    let record: UserRecord

    func write(to json: inout JSONObjectWriter) {
        json.add("id", record.id)
        json.add("kakao_id", String(record.kakaoID))
        json.add("nickname", record.nickname)
        json.add("email", record.email)
        json.add("email_verified", record.emailVerified)
        json.add("profile_image_url", record.profileImageURL)
        json.add("thumbnail_image_url", record.thumbnailImageURL)
        json.add("created_at", Timestamp.rfc3339(record.createdAt))
        json.add("updated_at", Timestamp.rfc3339(record.updatedAt))
        json.add("last_login_at", Timestamp.rfc3339(record.lastLoginAt))
        json.add("roles", strings: record.claims.roles.names)
        json.add("app_metadata", json: record.claims.appMetadata.compactText)
    }
}
