/// One event of Kakao's account status webhook (OpenID Shared Signals), known by the short name of its URI,
/// and what it makes us do. The URIs are those of `../shared/kakao-api.md`; any other is ``Action/record``.
public struct KakaoAccountEvent: Sendable, Equatable {
    /// What an event makes us do to the account it is about.
    enum Action: Sendable, Equatable {
        /// Revoke every session opened at or before the SET's `iat`: Kakao ended the user's sessions, or
        /// their credentials changed, so whoever held a session then may be the thief.
        case revokeSessions
        case disable
        /// Lift a disable only if Kakao set it; an operator's stays.
        case enable
        /// Erase the account as the unlink webhook does.
        case erase
        /// Fetch the profile again with the admin key, when there is one.
        case refreshProfile
        /// Only an audit event.
        case record
    }

    /// The short name (the last path segment of the URI), as the audit log and the emulator name it.
    let name: String
    let action: Action

    /// The event of this URI. Only a URI exactly as `kakao-api.md` writes it is acted on: another with the
    /// same last segment is some other event, recorded under its whole URI.
    init(uri: String) {
        let name = String(uri.split(separator: "/", omittingEmptySubsequences: false).last ?? "")
        guard let known = Self.known[name], known.prefix + name == uri else {
            self.init(name: ClientText.capped(uri, bytes: 128), action: .record)
            return
        }
        self.init(name: name, action: known.action)
    }

    private init(name: String, action: Action) {
        self.name = name
        self.action = action
    }

    /// The whole URI of a short name we know, or nil (the emulator sends events by short name).
    public static func uri(of name: String) -> String? {
        known[name].map { $0.prefix + name }
    }

    private static let oauth = "https://schemas.openid.net/secevent/oauth/event-type/"
    private static let risc = "https://schemas.openid.net/secevent/risc/event-type/"
    private static let caep = "https://schemas.openid.net/secevent/caep/event-type/"
    private static let kakao = "https://schemas.kakao.com/platevent/kakao/event-type/"

    private static let known: [String: (prefix: String, action: Action)] = [
        "sessions-revoked": (risc, .revokeSessions),
        "tokens-revoked": (oauth, .revokeSessions),
        "credential-change": (caep, .revokeSessions),
        "credential-compromise": (risc, .revokeSessions),
        "account-credential-change-required": (risc, .revokeSessions),
        "account-disabled": (risc, .disable),
        "account-enabled": (risc, .enable),
        "account-purged": (risc, .erase),
        "user-unlinked": (oauth, .erase),
        "user-profile-changed": (kakao, .refreshProfile),
        "user-linked": (oauth, .record),
        "user-scope-consent": (oauth, .record),
        "user-scope-withdraw": (oauth, .record),
        "token-issued": (oauth, .record),
        "token-revoked": (oauth, .record),
        "identifier-changed": (risc, .record),
        "identifier-recycled": (risc, .record),
        "assurance-level-change": (caep, .record),
    ]
}

/// A Security Event Token from Kakao whose signature and claims verified: who it is about, when Kakao issued
/// it, its events, and its `jti`, which makes a repeat recognisable.
struct KakaoSecurityEvent: Sendable, Equatable {
    var jti: String
    var kakaoID: Int64
    var issuedAt: Int64
    var events: [KakaoAccountEvent]
}
