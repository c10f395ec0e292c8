/// Who acted on an account: an operator (through the admin API, as the name of their key, or the command
/// line, as `cli`), or Kakao (the account-status signals).
enum AccountActor: Sendable, Equatable {
    case admin(name: String)
    case kakao

    /// The operator of the command line.
    static let commandLine = AccountActor.admin(name: "cli")

    /// As the account keeps it (`disabled_by`) and the admin API shows it: `admin:NAME` or `kakao`.
    var label: String {
        switch self {
        case .admin(let name): "admin:\(name)"
        case .kakao: "kakao"
        }
    }

    init?(label: String) {
        if label == "kakao" {
            self = .kakao
        } else if label.hasPrefix("admin:") {
            self = .admin(name: String(label.dropFirst("admin:".count)))
        } else {
            return nil
        }
    }

    /// How an audit event's detail names the actor: `admin=NAME` or `kakao`.
    var auditName: String {
        switch self {
        case .admin(let name): "admin=\(name)"
        case .kakao: "kakao"
        }
    }
}

/// Why an account cannot log in: when, why and by whom it was disabled. Any actor may disable and enable, so
/// that operators and Kakao's signals share one state.
struct AccountDisable: Sendable, Equatable {
    var at: Int64
    var reason: String
    var by: AccountActor

    /// Whether a disable by `actor` takes this one's place: only an operator's takes Kakao's, so that Kakao's
    /// `account-enabled`, which lifts only Kakao's own disable, cannot lift what an operator decided.
    func replaceable(by actor: AccountActor) -> Bool {
        by == .kakao && actor != .kakao
    }
}

/// Whether an account may log in.
enum AccountStatus: String, Sendable, CaseIterable {
    case active
    case disabled
}

/// An account as operators see it: the user, whether it is disabled, and how many sessions are live.
struct AccountView: Sendable, Equatable {
    var user: UserRecord
    var disable: AccountDisable?
    var liveSessions: Int

    var status: AccountStatus { disable == nil ? .active : .disabled }
}

/// A live session as its user and operators see it: where and when it was opened, when it was last used.
struct SessionView: Sendable, Equatable {
    /// The `sid` of the session's tokens.
    var id: String
    var createdAt: Int64
    /// The session's last rotation, or its opening.
    var lastUsedAt: Int64
    var expiresAt: Int64
    var userAgent: String?
    var clientIP: String?
}
