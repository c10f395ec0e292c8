import Hummingbird
import KakaoAuth
import KakaoAuthTokens

/// The emulator's answers, shaped like Kakao's.
enum EmulatorAnswer {
    /// A JSON object from members whose values are already JSON text.
    static func json(_ members: KeyValuePairs<String, String>, status: HTTPResponse.Status = .ok) -> Response {
        object(members.map { ($0.key, $0.value) }, status: status)
    }

    static func object(_ members: [(String, String)], status: HTTPResponse.Status = .ok) -> Response {
        let body = "{" + members.map { "\($0.0.jsonQuoted):\($0.1)" }.joined(separator: ",") + "}"
        return Response(status: status, headers: [.contentType: "application/json;charset=UTF-8"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// kauth's error shape: `{"error","error_description","error_code"}`.
    static func kauthError(status: Int, error: String, code: String, description: String) -> Response {
        json(["error": error.jsonQuoted, "error_description": description.jsonQuoted, "error_code": code.jsonQuoted], status: .init(code: status))
    }

    /// kapi's error shape: `{"msg","code"}`.
    static func kapiError(status: Int, code: Int, message: String) -> Response {
        json(["msg": message.jsonQuoted, "code": "\(code)"], status: .init(code: status))
    }

    static var invalidToken: Response {
        var response = kapiError(status: 401, code: -401, message: "this access token does not exist")
        response.headers[.wwwAuthenticate] = "Bearer realm=\"oauth\", error=\"invalid_token\""
        return response
    }

    /// `/v2/user/me`: fields the tester did not share are omitted entirely, as Kakao does.
    static func userMe(_ user: EmulatedUser) -> Response {
        var profile: [String] = []
        var account = ["\"profile_nickname_needs_agreement\":\(user.nickname == nil)"]
        if let nickname = user.nickname {
            profile.append("\"nickname\":\(nickname.jsonQuoted)")
            profile.append("\"is_default_nickname\":false")
        }
        if !profile.isEmpty { account.append("\"profile\":{\(profile.joined(separator: ","))}") }
        account.append("\"email_needs_agreement\":\(user.email == nil)")
        if let email = user.email {
            account.append("\"has_email\":true,\"is_email_valid\":true,\"is_email_verified\":\(user.emailVerified),\"email\":\(email.jsonQuoted)")
        }
        var members: [(String, String)] = [("id", "\(user.id)"), ("connected_at", Timestamp.rfc3339(user.connectedAt).jsonQuoted)]
        if let nickname = user.nickname { members.append(("properties", "{\"nickname\":\(nickname.jsonQuoted)}")) }
        members.append(("kakao_account", "{\(account.joined(separator: ","))}"))
        return object(members)
    }
}

/// The page Kakao shows, instead of redirecting, for a misconfigured authorize request.
struct EmulatorErrorPage: Error {
    let code: String
    let message: String

    var response: Response {
        let html = """
            <!doctype html><html lang="ko"><meta charset="utf-8"><title>Kakao emulator: \(code)</title>
            <body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem">
            <h1>\(code.htmlEscaped)</h1><p>\(message.htmlEscaped)</p><p><small>kakao-auth Kakao emulator</small></p></body></html>
            """
        return Response(status: .badRequest, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
