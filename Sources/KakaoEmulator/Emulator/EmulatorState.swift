import KakaoAuth
import KakaoAuthTokens
import Synchronization

/// A test user as the consent page describes them.
struct EmulatedUser: Equatable, Sendable {
    var id: Int64
    var nickname: String?
    /// nil when the tester withheld consent to share the email.
    var email: String?
    var emailVerified: Bool
    var connectedAt: Int64
}

/// Everything the emulator remembers, in memory: users, pending authorization codes and issued tokens.
final class EmulatorState: Sendable {
    static let codeLifetime: Int64 = 600
    static let accessTokenLifetime: Int64 = 21_599
    static let refreshTokenLifetime: Int64 = 5_183_999

    struct PendingCode: Sendable {
        var userID: Int64
        var redirectURI: String
        var codeChallenge: String?
        /// The authorize request's `nonce`, and whether its `scope` had `openid` (then the token answer
        /// carries an id_token).
        var nonce: String? = nil
        var wantsIDToken = false
        var expiresAt: Int64
    }

    /// A signing key of the emulator's JWKS.
    struct SigningKey: Sendable {
        var kid: String
        var key: RSAPrivateKey
    }

    struct IssuedToken: Sendable {
        var userID: Int64
        var expiresAt: Int64
    }

    private struct Contents {
        var users: [Int64: EmulatedUser] = [:]
        var codes: [String: PendingCode] = [:]
        var accessTokens: [String: IssuedToken] = [:]
        var refreshTokens: [String: IssuedToken] = [:]
    }

    private let contents = Mutex(Contents())
    /// The current key first, then the ones it replaced (still published, as Kakao does while rotating).
    /// Made on first use: generating an RSA key takes tens of milliseconds of CPU, which an emulator that
    /// never signs an id_token (most of the test suite's) should not spend.
    private let signingKeys = Mutex<[SigningKey]>([])

    var currentSigningKey: SigningKey { publishedSigningKeys[0] }

    var publishedSigningKeys: [SigningKey] {
        signingKeys.withLock { keys in
            if keys.isEmpty { keys = [SigningKey(kid: RandomID.make(), key: RSAPrivateKey())] }
            return keys
        }
    }

    /// A new current key; the old one stays published. Returns the new kid.
    func rotateSigningKey() -> String {
        let fresh = SigningKey(kid: RandomID.make(), key: RSAPrivateKey())
        signingKeys.withLock { $0.insert(fresh, at: 0) }
        return fresh.kid
    }

    func saveUser(_ user: EmulatedUser) {
        contents.withLock { $0.users[user.id] = user }
    }

    func user(id: Int64) -> EmulatedUser? {
        contents.withLock { $0.users[id] }
    }

    func issueCode(_ code: PendingCode) -> String {
        let value = RandomID.make()
        contents.withLock { $0.codes[value] = code }
        return value
    }

    /// Removes and returns the code: every code works once, whatever the outcome of the exchange.
    func redeemCode(_ value: String, now: Int64) -> PendingCode? {
        contents.withLock { contents in
            guard let code = contents.codes.removeValue(forKey: value), code.expiresAt > now else { return nil }
            return code
        }
    }

    func issueTokens(userID: Int64, now: Int64) -> (access: String, refresh: String) {
        let access = RandomID.make() + RandomID.make()
        let refresh = RandomID.make() + RandomID.make()
        contents.withLock {
            $0.accessTokens[access] = IssuedToken(userID: userID, expiresAt: now + Self.accessTokenLifetime)
            $0.refreshTokens[refresh] = IssuedToken(userID: userID, expiresAt: now + Self.refreshTokenLifetime)
        }
        return (access, refresh)
    }

    func refresh(_ refreshToken: String, now: Int64) -> (access: String, userID: Int64)? {
        contents.withLock { contents in
            guard let token = contents.refreshTokens[refreshToken], token.expiresAt > now else { return nil }
            let access = RandomID.make() + RandomID.make()
            contents.accessTokens[access] = IssuedToken(userID: token.userID, expiresAt: now + Self.accessTokenLifetime)
            return (access, token.userID)
        }
    }

    func accessToken(_ value: String, now: Int64) -> IssuedToken? {
        contents.withLock { contents in
            guard let token = contents.accessTokens[value], token.expiresAt > now else { return nil }
            return token
        }
    }

    func revokeAccessToken(_ value: String) {
        contents.withLock { _ = $0.accessTokens.removeValue(forKey: value) }
    }

    /// Revokes every token of the user; with `unlink` the user is also forgotten.
    func revokeAll(userID: Int64, unlink: Bool) {
        contents.withLock { contents in
            contents.accessTokens = contents.accessTokens.filter { $0.value.userID != userID }
            contents.refreshTokens = contents.refreshTokens.filter { $0.value.userID != userID }
            if unlink { contents.users[userID] = nil }
        }
    }
}
