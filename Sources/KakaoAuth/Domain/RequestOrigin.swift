/// Where a request came from, for the audit log.
struct RequestOrigin: Sendable, Equatable {
    var clientIP: String?
    /// At most 512 UTF-8 bytes, without control characters (``ClientText``).
    var userAgent: String?

    init(clientIP: String?, userAgent: String?) {
        self.clientIP = clientIP
        self.userAgent = userAgent.map { ClientText.capped($0, bytes: 512) }
    }

    /// The origin of an account's erasure: recorded without the address and agent that erasing removes.
    static let erased = RequestOrigin(clientIP: nil, userAgent: nil)

    /// The origin of an operator's `kakao-auth users` command: no address, and the detail names `admin=cli`.
    static let commandLine = RequestOrigin(clientIP: nil, userAgent: nil)
}
