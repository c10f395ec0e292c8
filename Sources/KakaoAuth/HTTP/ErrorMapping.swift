import GRDB
import Hummingbird
import KakaoAuthTokens
import Logging
import NIOCore
import NIOHTTP1

/// The one place where errors become HTTP answers: every typed error of every layer maps to an
/// ``APIError``, and every ``APIError`` to an `application/problem+json` answer (RFC 9457).
extension APIError {
    init(from error: any Error) {
        switch error {
        case let error as APIError:
            self = error
        case let error as TokenError:
            self.init(error.kind == .access ? .invalidToken : .refreshTokenInvalid, error.reason.rawValue)
        case let error as KakaoError:
            self.init(kakao: error)
        case let error as KakaoCredentialRefusal:
            self.init(.invalidGrant, error.reason)
        case LoginRefusal.idTokenReused:
            self.init(.idTokenReused, "this id_token has logged in before; each logs in once (ask Kakao's SDK for a new one)")
        case LoginRefusal.accountDisabled:
            self.init(.accountDisabled, "this account is disabled; it cannot log in until an operator enables it")
        case AdministrationError.userNotFound:
            self.init(.userNotFound, "no user has this id")
        case AdministrationError.sessionNotFound:
            self.init(.sessionNotFound, "this is not a live session of this user")
        case AdministrationError.invalidReason:
            self.init(.invalidRequest, "reason must be 1 to 200 characters, none a control character")
        case let error as AccountClaimsError:
            self.init(.invalidRequest, error.description)
        case is SecurityEventKeysUnavailable:
            self.init(.serviceUnavailable, "Kakao's key set could not be fetched in time for this SET's kid; send it again later")
        case LoginRefusal.accessTokenLoginsNeedAppID:
            self.init(.invalidRequest, "access_token logins need KAKAO_APP_ID, to check that Kakao issued the token to this app")
        // The client's framing (a `Transfer-Encoding` we do not speak, a chunk size past 64 bits, a body
        // cut short by a client that went away) fails as the body is read: the client's fault, not ours.
        case is HTTPParserError, is ChannelError, is IOError:
            self.init(.invalidRequest, "the request's framing is malformed, or the client closed the connection mid-request")
        case is NIOTooManyBytesError:
            self.init(.payloadTooLarge, "request bodies are limited to \(RequestBody.maximumSize) bytes")
        case let error as HTTPError where error.status == .notFound:
            self.init(.notFound, "no endpoint at this path and method")
        case let error as HTTPError where error.status == .contentTooLarge:
            self.init(.payloadTooLarge, "the request is too large")
        case let error as HTTPError where (400..<500).contains(error.status.code):
            self.init(.invalidRequest, error.body ?? error.status.reasonPhrase)
        case is DatabaseError, is StoreError:
            self.init(.serviceUnavailable, "the database is unavailable; try again shortly")
        default:
            self.init(.internalError, "an unexpected error occurred")
        }
    }

    private init(kakao error: KakaoError) {
        switch error {
        case .invalidGrant(let errorCode):
            self.init(
                .invalidGrant,
                "the authorization code is invalid, expired, already used or issued for another redirect_uri\(Self.kakaoCode(errorCode))")
        case .invalidToken(let errorCode):
            self.init(.invalidGrant, "Kakao does not accept this access token: unknown, expired or malformed\(Self.kakaoCode(errorCode))")
        case .rejected(let status, let errorCode):
            self.init(.providerError, "Kakao refused the request with status \(status)\(Self.kakaoCode(errorCode))")
        case .unavailable(let status):
            self.init(.providerError, "Kakao answered with status \(status)")
        case .malformedAnswer(let reason):
            self.init(.providerError, "Kakao's answer was unusable: \(reason)")
        case .unreachable:
            self.init(.providerError, "Kakao could not be reached")
        case .timedOut:
            self.init(.providerTimeout, "Kakao did not answer in time")
        }
    }

    private static func kakaoCode(_ code: String?) -> String {
        code.map { " (Kakao \($0))" } ?? ""
    }

    var response: Response {
        let body =
            "{\"type\":\("urn:kakao-auth:problem:\(code.rawValue)".jsonQuoted),\"title\":\(code.title.jsonQuoted),"
            + "\"status\":\(code.status.code),\"detail\":\(detail.jsonQuoted),\"code\":\(code.rawValue.jsonQuoted)}"
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if code == .invalidToken {
            headers[.wwwAuthenticate] = "Bearer error=\"invalid_token\""
        }
        return Response(status: code.status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

extension SecurityEventRefusal {
    /// RFC 8935 §2.4: 400 with `{"err", "description"}` as `application/json`, not problem+json: the push
    /// delivery's own error format, which Kakao's console shows.
    var response: Response {
        let body = "{\"err\":\(code.rawValue.jsonQuoted),\"description\":\(description.jsonQuoted)}"
        return Response(status: .badRequest, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
