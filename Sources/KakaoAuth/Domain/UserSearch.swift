import KakaoAuthTokens

/// Which users an operator looks for, newest registration first: a page of at most `limit` after `after`.
struct UserSearch: Sendable, Equatable {
    /// A substring of the nickname or email, matched case-insensitively for ASCII letters (and exactly for
    /// every other character, whatever the database's locale).
    var text: String? = nil
    var kakaoID: Int64? = nil
    var status: AccountStatus? = nil
    var limit: Int
    var after: UserCursor? = nil

    /// ``text`` as the stores compare it: ASCII letters in lower case, nothing else changed.
    var foldedText: String? {
        text.map { String(decoding: $0.utf8.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self) }
    }
}

/// A position in the newest-first order of registration: the last user of a page. The next page holds the
/// users registered before it (by time, then by id), so following cursors visits each user once, and users
/// who register meanwhile never shift a page: they sort before the first one, or, registered in the very second of
/// a page's last user (ids are random, not ordered in time), may appear once on a later page.
struct UserCursor: Sendable, Equatable {
    var createdAt: Int64
    var userID: String

    /// The user after whom the next page begins.
    init(after user: UserRecord) {
        createdAt = user.createdAt
        userID = user.id
    }

    /// base64url of `CREATED_AT.USER_ID`: opaque to clients, and only ever what ``init(after:)`` wrote.
    var encoded: String { Base64URL.encode(Array("\(createdAt).\(userID)".utf8)) }

    /// Nil for anything ``encoded`` never writes.
    init?(encoded text: String) {
        guard text.utf8.count <= 128, let bytes = Base64URL.decode(text), let dot = bytes.firstIndex(of: UInt8(ascii: ".")) else { return nil }
        let time = bytes[..<dot]
        let id = bytes[(dot + 1)...]
        guard (1...19).contains(time.count), time.allSatisfy({ (0x30...0x39).contains($0) }),
            let createdAt = Int64(String(decoding: time, as: UTF8.self)),
            (1...64).contains(id.count), id.allSatisfy(\.isBase64URLCharacter)
        else { return nil }
        self.createdAt = createdAt
        userID = String(decoding: id, as: UTF8.self)
    }
}

extension UInt8 {
    fileprivate var isBase64URLCharacter: Bool {
        (0x41...0x5A).contains(self) || (0x61...0x7A).contains(self) || (0x30...0x39).contains(self) || self == 0x2D || self == 0x5F
    }
}
