/// The reads of ``AdministrationStore`` in the syntax SQLite and PostgreSQL share, written once as
/// ``SessionQueries`` are; a ``SQLDialect`` supplies the placeholders and the one function they spell
/// differently.
enum AdministrationQueries {
    /// ``UserUpsert/columns``, the disable, and the count of live sessions: an ``AccountView``'s columns, in order.
    private static func accountColumns(_ query: inout SQLQuery, now: Int64) -> String {
        return """
            \(UserUpsert.qualifiedColumns), users.disabled_at, users.disabled_reason, users.disabled_by,
            (SELECT COUNT(*) FROM sessions WHERE sessions.user_id = users.id AND sessions.revoked_at IS NULL AND sessions.expires_at > \(query.bind(.integer(now))))
            """
    }

    /// Newest registration first (the `users_by_registration` index, read backwards), after the cursor.
    static func findUsers(_ search: UserSearch, now: Int64, dialect: SQLDialect) -> SQLQuery {
        var query = SQLQuery(dialect: dialect)
        let columns = accountColumns(&query, now: now)
        var conditions: [String] = []
        if let text = search.foldedText {
            let nickname = query.bind(.text(text))
            let email = query.bind(.text(text))
            conditions.append(
                "(\(dialect.contains(dialect.foldedASCII("users.nickname"), nickname)) OR \(dialect.contains(dialect.foldedASCII("users.email"), email)))"
            )
        }
        if let kakaoID = search.kakaoID { conditions.append("users.kakao_id = \(query.bind(.integer(kakaoID)))") }
        switch search.status {
        case .active?: conditions.append("users.disabled_at IS NULL")
        case .disabled?: conditions.append("users.disabled_at IS NOT NULL")
        case nil: break
        }
        if let after = search.after {
            conditions.append("(users.created_at, users.id) < (\(query.bind(.integer(after.createdAt))), \(query.bind(.text(after.userID))))")
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        query.sql =
            "SELECT \(columns) FROM users \(filter) ORDER BY users.created_at DESC, users.id DESC LIMIT \(query.bind(.integer(Int64(search.limit))))"
        return query
    }

    /// The disable an account's three columns hold: nil while `disabled_at` is NULL.
    static func disable(at: Int64?, reason: String?, by label: String?) throws -> AccountDisable? {
        guard let at else { return nil }
        guard let reason, let actor = label.flatMap(AccountActor.init(label:)) else {
            throw StoreError.unexpectedAnswer("a disable without its reason or actor")
        }
        return AccountDisable(at: at, reason: reason, by: actor)
    }

    static func account(id userID: String, now: Int64, dialect: SQLDialect) -> SQLQuery {
        var query = SQLQuery(dialect: dialect)
        let columns = accountColumns(&query, now: now)
        query.sql = "SELECT \(columns) FROM users WHERE users.id = \(query.bind(.text(userID)))"
        return query
    }

    /// ``SessionView``'s columns, newest first.
    static func liveSessions(userID: String, now: Int64, dialect: SQLDialect) -> SQLQuery {
        var query = SQLQuery(dialect: dialect)
        query.sql = """
            SELECT id, created_at, COALESCE(last_used_at, created_at), expires_at, user_agent, client_ip FROM sessions
            WHERE user_id = \(query.bind(.text(userID))) AND revoked_at IS NULL AND expires_at > \(query.bind(.integer(now)))
            ORDER BY created_at DESC, id DESC
            """
        return query
    }
}

/// The two SQL syntaxes the stores speak.
enum SQLDialect {
    case sqlite
    case postgres

    /// `expression` with ASCII letters in lower case and every other character as it is, whatever the locale.
    /// SQLite's `lower` does exactly that (without the ICU extension, which Debian's library lacks);
    /// PostgreSQL's follows the database's locale, so the letters are translated one by one.
    func foldedASCII(_ expression: String) -> String {
        switch self {
        case .sqlite: "lower(\(expression))"
        case .postgres: "translate(\(expression), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
        }
    }

    /// Whether `text` holds `part`, without `LIKE`'s wildcards to escape.
    func contains(_ text: String, _ part: String) -> String {
        switch self {
        case .sqlite: "instr(\(text), \(part)) > 0"
        case .postgres: "strpos(\(text), \(part)) > 0"
        }
    }
}

/// A statement and its arguments, bound in order as the text names them.
struct SQLQuery {
    enum Argument: Sendable, Equatable {
        case text(String)
        case integer(Int64)
    }

    let dialect: SQLDialect
    var sql = ""
    private(set) var arguments: [Argument] = []

    init(dialect: SQLDialect) {
        self.dialect = dialect
    }

    /// The placeholder of `value`, which becomes the next argument.
    mutating func bind(_ value: Argument) -> String {
        arguments.append(value)
        return dialect == .sqlite ? "?" : "$\(arguments.count)"
    }
}
