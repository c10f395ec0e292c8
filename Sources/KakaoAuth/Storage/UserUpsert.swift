/// The statement that registers a Kakao user on first sight or updates their profile, in the syntax SQLite
/// (3.39 and later) and PostgreSQL share; each store supplies its own placeholders for the eleven values of
/// ``insertedColumns``. It returns the user row (``columns``), whose id is the new one only if the user is new.
enum UserUpsert {
    /// A new user's: the profile, the times, and `DEFAULT_ROLES` (``Roles/storedText``). App metadata starts
    /// empty, and only an operator changes either afterwards: a login never does.
    static let insertedColumns =
        "id, kakao_id, nickname, email, email_verified, profile_image_url, thumbnail_image_url, created_at, updated_at, last_login_at, roles"

    /// A ``UserRecord``'s columns, in its order.
    static let columns = insertedColumns + ", app_metadata"

    /// ``columns``, each as `users.NAME`, for a statement that joins other tables.
    static let qualifiedColumns = columns.split(separator: ",").map { "users." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")

    /// A profile that tells only part of the truth (an id_token) leaves the fields it does not carry as they
    /// are; `/v2/user/me` tells all, so its absent fields clear ours. A login withdraws an erasure the purge
    /// would otherwise finish: the user came back (see ``Accounts/eraseAccount(of:origin:now:unlink:)``). A
    /// disabled user is left as they are, and no row is returned (``LoginRefusal/accountDisabled``).
    static func sql(values: String, keepingAbsentFields: Bool) -> String {
        func value(_ column: String) -> String {
            keepingAbsentFields ? "COALESCE(excluded.\(column), users.\(column))" : "excluded.\(column)"
        }
        // email_verified belongs to the email: kept with it, replaced with it.
        let emailVerified =
            keepingAbsentFields
            ? "CASE WHEN excluded.email IS NULL THEN users.email_verified ELSE excluded.email_verified END" : "excluded.email_verified"
        let changed =
            ["nickname", "email", "profile_image_url", "thumbnail_image_url"]
            .map { "users.\($0) IS DISTINCT FROM \(value($0))" } + ["users.email_verified IS DISTINCT FROM \(emailVerified)"]
        return """
            INSERT INTO users (\(insertedColumns)) VALUES (\(values))
            ON CONFLICT (kakao_id) DO UPDATE SET
                updated_at = CASE WHEN \(changed.joined(separator: " OR ")) THEN excluded.updated_at ELSE users.updated_at END,
                nickname = \(value("nickname")),
                email = \(value("email")),
                email_verified = \(emailVerified),
                profile_image_url = \(value("profile_image_url")),
                thumbnail_image_url = \(value("thumbnail_image_url")),
                last_login_at = excluded.last_login_at,
                erasure_requested_at = NULL
            WHERE users.disabled_at IS NULL
            RETURNING \(columns)
            """
    }

    /// Replaces the profile of the user with this Kakao id (no session, no login time): nickname, email,
    /// email_verified, profile_image_url, thumbnail_image_url and updated_at, in that order. A disabled user's
    /// too: it is what Kakao knows of them, not a login.
    static func profileUpdate(values: String, kakaoID: String) -> String {
        """
        UPDATE users SET (nickname, email, email_verified, profile_image_url, thumbnail_image_url, updated_at) = (\(values))
        WHERE kakao_id = \(kakaoID)
        """
    }

    /// Records the refused login of the disabled user with this Kakao id, whom the upsert left alone.
    static func refusedLogin(at: String, clientIP: String, userAgent: String, kakaoID: String) -> String {
        """
        INSERT INTO auth_events (at, kind, user_id, client_ip, user_agent)
        SELECT \(at), 'login_refused_disabled', id, \(clientIP), \(userAgent) FROM users WHERE kakao_id = \(kakaoID) AND disabled_at IS NOT NULL
        """
    }
}
