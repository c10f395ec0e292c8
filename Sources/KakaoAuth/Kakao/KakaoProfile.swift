/// The part of Kakao's `/v2/user/me` answer that we keep. Every field but the id is optional because Kakao
/// omits whatever the user did not consent to.
struct KakaoProfile: Equatable, Sendable {
    /// Kakao's user id: a positive 64-bit integer, often above 2^53.
    var id: Int64
    var nickname: String?
    var email: String?
    /// True only when Kakao says the address is both valid and verified.
    var emailVerified: Bool
    var profileImageURL: String?
    var thumbnailImageURL: String?

    /// Reads Kakao's answer strictly: the id must be a positive JSON integer (not a string, fraction or
    /// exponent); optional fields of the wrong type are treated as absent rather than trusted.
    init(json: JSONValue) throws(KakaoError) {
        guard case .object = json else { throw .malformedAnswer("the user answer is not a JSON object") }
        guard let id = json["id"]?.integerValue, id > 0 else {
            throw .malformedAnswer("the user answer has no positive integer id")
        }
        let account = json["kakao_account"]
        let profile = account?["profile"]
        self.id = id
        nickname = profile?["nickname"]?.stringValue ?? json["properties"]?["nickname"]?.stringValue
        email = account?["email"]?.stringValue
        emailVerified = email != nil && account?["is_email_valid"]?.boolValue == true
            && account?["is_email_verified"]?.boolValue == true
        profileImageURL = profile?["profile_image_url"]?.stringValue
        thumbnailImageURL = profile?["thumbnail_image_url"]?.stringValue
    }
}
