/// How a call to Kakao failed. Kakao's own error text is never passed on: only its stable `error_code`.
enum KakaoError: Error, Equatable {
    /// Kakao refused the authorization code: reused, expired, unknown, or issued for another redirect URI.
    case invalidGrant(errorCode: String?)
    /// Kakao does not accept the access token an app sent (-401 unknown or expired, -2 malformed).
    case invalidToken(errorCode: String?)
    /// Kakao refused the request for another reason (bad client credentials, rate limit, our own token).
    case rejected(status: Int, errorCode: String?)
    /// Kakao answered with a server error.
    case unavailable(status: Int)
    /// Kakao's answer was not what its API promises (not JSON, too large, missing fields).
    case malformedAnswer(String)
    /// No answer: the connection failed or was reset.
    case unreachable
    /// No complete answer within `KAKAO_TIMEOUT_SECONDS`.
    case timedOut
}
