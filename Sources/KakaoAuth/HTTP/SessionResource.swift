/// A live session as its user and operators see it. `current` is for the user's own list only: whether it
/// is the session of the access token that asked.
struct SessionResource {
    let session: SessionView
    var current: Bool? = nil

    func write(to json: inout JSONObjectWriter) {
        json.add("id", session.id)
        if let current { json.add("current", current) }
        json.add("created_at", Timestamp.rfc3339(session.createdAt))
        json.add("last_used_at", Timestamp.rfc3339(session.lastUsedAt))
        json.add("expires_at", Timestamp.rfc3339(session.expiresAt))
        json.add("user_agent", session.userAgent)
        json.add("client_ip", session.clientIP)
    }
}
