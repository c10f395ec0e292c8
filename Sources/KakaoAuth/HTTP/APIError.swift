import Hummingbird

/// Every error a client can see: a stable snake_case `code`, its HTTP status and title, and a detail for
/// this occurrence. `openapi.yaml` lists the same codes; a test checks the two agree.
struct APIError: Error, Equatable {
    enum Code: String, CaseIterable, Sendable {
        case invalidRequest = "invalid_request"
        case unsupportedMediaType = "unsupported_media_type"
        case redirectURINotAllowed = "redirect_uri_not_allowed"
        case invalidState = "invalid_state"
        case invalidGrant = "invalid_grant"
        case idTokenReused = "id_token_reused"
        case invalidToken = "invalid_token"
        case refreshTokenInvalid = "refresh_token_invalid"
        case refreshTokenReused = "refresh_token_reused"
        case invalidCredentials = "invalid_credentials"
        case csrfRejected = "csrf_rejected"
        case notFound = "not_found"
        case userNotFound = "user_not_found"
        case sessionNotFound = "session_not_found"
        case accountDisabled = "account_disabled"
        case methodNotAllowed = "method_not_allowed"
        case duplicateCookie = "duplicate_cookie"
        case requestTimeout = "request_timeout"
        case payloadTooLarge = "payload_too_large"
        case rateLimited = "rate_limited"
        case internalError = "internal_error"
        case unlinkUnavailable = "unlink_unavailable"
        case providerError = "provider_error"
        case serviceUnavailable = "service_unavailable"
        case providerTimeout = "provider_timeout"

        var status: HTTPResponse.Status {
            switch self {
            case .invalidRequest, .redirectURINotAllowed, .invalidState, .invalidGrant, .idTokenReused, .duplicateCookie: .badRequest
            case .unsupportedMediaType: .unsupportedMediaType
            case .invalidToken, .refreshTokenInvalid, .refreshTokenReused, .invalidCredentials: .unauthorized
            case .csrfRejected, .accountDisabled: .forbidden
            case .notFound, .userNotFound, .sessionNotFound: .notFound
            case .methodNotAllowed: .methodNotAllowed
            case .requestTimeout: .requestTimeout
            case .payloadTooLarge: .contentTooLarge
            case .rateLimited: .tooManyRequests
            case .internalError: .internalServerError
            case .unlinkUnavailable: .notImplemented
            case .providerError: .badGateway
            case .serviceUnavailable: .serviceUnavailable
            case .providerTimeout: .gatewayTimeout
            }
        }

        var title: String {
            switch self {
            case .invalidRequest: "The request is malformed"
            case .unsupportedMediaType: "The request body must be JSON"
            case .redirectURINotAllowed: "The redirect URI is not allowed"
            case .invalidState: "The login state is missing or does not match"
            case .invalidGrant: "Kakao's authorization code or token was refused"
            case .idTokenReused: "This id_token has already logged in"
            case .invalidToken: "The access token is missing or invalid"
            case .refreshTokenInvalid: "The refresh token is missing or invalid"
            case .refreshTokenReused: "The refresh token was already used; the session is revoked"
            case .invalidCredentials: "The caller's credentials are missing or wrong"
            case .csrfRejected: "Cross-origin request refused"
            case .notFound: "No such resource"
            case .userNotFound: "No such user"
            case .sessionNotFound: "No such live session of this user"
            case .accountDisabled: "This account is disabled"
            case .methodNotAllowed: "This method is not served at this path"
            case .duplicateCookie: "A cookie of this service was sent more than once"
            case .requestTimeout: "The request body arrived too slowly"
            case .payloadTooLarge: "The request body is too large"
            case .rateLimited: "Too many requests"
            case .internalError: "Internal error"
            case .unlinkUnavailable: "Account deletion is not configured"
            case .providerError: "Kakao failed or answered unexpectedly"
            case .serviceUnavailable: "The service cannot serve requests right now"
            case .providerTimeout: "Kakao did not answer in time"
            }
        }
    }

    let code: Code
    let detail: String

    init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }
}
