import KakaoAuthTokens

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
    /// True when the source tells only part of the profile (an id_token carries no thumbnail, and only the
    /// claims the app asked for): an absent field then keeps what we stored, instead of clearing it as a
    /// withdrawn consent in `/v2/user/me` does.
    var keepsAbsentFields = false

    init(
        id: Int64, nickname: String?, email: String?, emailVerified: Bool, profileImageURL: String?, thumbnailImageURL: String?,
        keepsAbsentFields: Bool = false
    ) {
        self.id = id
        self.nickname = nickname
        self.email = email
        self.emailVerified = emailVerified
        self.profileImageURL = profileImageURL
        self.thumbnailImageURL = thumbnailImageURL
        self.keepsAbsentFields = keepsAbsentFields
    }

    /// Whether a text field holds U+0000, which no store keeps intact.
    var holdsNUL: Bool {
        [nickname, email, profileImageURL, thumbnailImageURL].contains { $0.map(ClientText.containsNUL) == true }
    }

    /// A Kakao id written in decimal (an id_token's `sub`): 1 to 19 digits, no sign or leading zero, and
    /// within a signed 64-bit integer, as every Kakao id is.
    static func kakaoID(decimal text: String) -> Int64? {
        isDecimalID(text) ? Int64(text) : nil
    }

    /// 1 to 19 digits without a sign or a leading zero: how Kakao writes ids (one may still exceed 2^63-1).
    static func isDecimalID(_ text: String) -> Bool {
        (1...19).contains(text.utf8.count) && text.utf8.first != UInt8(ascii: "0")
            && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

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
        emailVerified =
            email != nil && account?["is_email_valid"]?.boolValue == true
            && account?["is_email_verified"]?.boolValue == true
        profileImageURL = profile?["profile_image_url"]?.stringValue
        thumbnailImageURL = profile?["thumbnail_image_url"]?.stringValue
    }
}
