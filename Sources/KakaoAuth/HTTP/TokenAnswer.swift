/// Where a client wants its tokens: in HttpOnly cookies (browsers) or in the JSON body (mobile apps).
enum TokenDelivery: String {
    case cookie
    case body
}

/// The token part of a login or refresh answer. In cookie delivery only the expiry times are in the body.
struct TokenAnswer {
    let tokens: IssuedTokens
    let delivery: TokenDelivery
    let now: Int64

    init(_ tokens: IssuedTokens, delivery: TokenDelivery, now: Int64) {
        self.tokens = tokens
        self.delivery = delivery
        self.now = now
    }

    func write(to json: inout JSONObjectWriter) {
        if delivery == .body {
            json.add("access_token", tokens.accessToken)
            json.add("token_type", "Bearer")
            json.add("expires_in", tokens.accessExpiresAt - now)
            json.add("refresh_token", tokens.refreshToken)
            json.add("refresh_token_expires_in", tokens.refreshExpiresAt - now)
        }
        json.add("access_token_expires_at", Timestamp.rfc3339(tokens.accessExpiresAt))
        json.add("refresh_token_expires_at", Timestamp.rfc3339(tokens.refreshExpiresAt))
    }
}
