/// An account as the admin API shows it: the ``UserResource`` fields, whether it is disabled (when, why, by
/// whom; all three `null` while active) and its live sessions, counted in a list or in full for one account.
struct AccountResource {
    let account: AccountView
    /// Nil in a list, which carries only the count.
    var sessions: [SessionView]? = nil

    func write(to json: inout JSONObjectWriter) {
        UserResource(record: account.user).write(to: &json)
        json.add("status", account.status.rawValue)
        json.add("disabled_at", account.disable.map { Timestamp.rfc3339($0.at) })
        json.add("disabled_reason", account.disable?.reason)
        json.add("disabled_by", account.disable?.by.label)
        json.add("live_sessions", Int64(account.liveSessions))
        if let sessions {
            json.add("sessions", array: sessions) { session, json in SessionResource(session: session).write(to: &json) }
        }
    }

    /// A page of accounts and the cursor of the next one: `{"users": [...], "next_cursor": ...}`.
    static func page(_ accounts: [AccountView], next: UserCursor?) -> (inout JSONObjectWriter) -> Void {
        { json in
            json.add("users", array: accounts) { account, json in AccountResource(account: account).write(to: &json) }
            json.add("next_cursor", next?.encoded)
        }
    }
}
