/// An audit event of one account, as the admin API shows it (the account is the one asked about).
struct AuditEventResource {
    let event: AuditEvent

    func write(to json: inout JSONObjectWriter) {
        json.add("at", Timestamp.rfc3339(event.at))
        json.add("kind", event.kind.rawValue)
        json.add("session_id", event.sessionID)
        json.add("client_ip", event.clientIP)
        json.add("user_agent", event.userAgent)
        json.add("detail", event.detail)
    }
}
