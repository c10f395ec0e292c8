import Foundation
import HTTPTypes
import Testing

@testable import KakaoAuth
@testable import KakaoAuthTokens

/// `JWT_ALGORITHM`'s keys from the environment, the service signing with them end to end, and the JWKS.
@Suite struct KeySetTests {
    /// Key files in a temporary directory, removed afterwards.
    final class KeyFiles {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kakao-auth-keys-\(UUID().uuidString)")

        init() {
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }

        deinit {
            try? FileManager.default.removeItem(at: directory)
        }

        func write(_ name: String, _ contents: String) -> String {
            let path = directory.appendingPathComponent(name).path
            _ = FileManager.default.createFile(atPath: path, contents: Data(contents.utf8))
            return path
        }
    }

    let valid = ConfigurationProbe.valid

    func problem(_ changes: [String: String?]) -> ConfigurationError? {
        ConfigurationProbe.problem(changes)
    }

    @Test func keyVariablesAreCheckedAndErrorsNeverShowTheKey() throws {
        let files = KeyFiles()
        let edDSA = AsymmetricKey.generate(.edDSA)
        let es256 = AsymmetricKey.generate(.es256)
        let edDSAFile = files.write("ed.pem", edDSA.privatePEM!)
        let body = edDSA.privatePEM!.split(separator: "\n")[1]
        // The key's type must be the algorithm's, and the error names the variable, not the key.
        let mismatch = try #require(problem(["JWT_ALGORITHM": "ES256", "JWT_PRIVATE_KEY_FILE": edDSAFile]))
        #expect(mismatch.variable == "JWT_PRIVATE_KEY_FILE" && mismatch.problem.contains("EdDSA") && !mismatch.description.contains(body))
        #expect(problem(["JWT_ALGORITHM": "EdDSA"])?.variable == "JWT_PRIVATE_KEY_FILE")
        #expect(
            problem(["JWT_ALGORITHM": "EdDSA", "JWT_PRIVATE_KEY_FILE": edDSAFile, "JWT_PRIVATE_KEY": edDSA.privatePEM!])?.variable
                == "JWT_PRIVATE_KEY")
        #expect(
            problem(["JWT_ALGORITHM": "EdDSA", "JWT_PRIVATE_KEY_FILE": files.directory.appendingPathComponent("none.pem").path])?.variable
                == "JWT_PRIVATE_KEY_FILE")
        let garbled = try #require(
            problem(["JWT_ALGORITHM": "EdDSA", "JWT_PRIVATE_KEY": "-----BEGIN PRIVATE KEY-----\n\(body)x\n-----END PRIVATE KEY-----"]))
        #expect(garbled.variable == "JWT_PRIVATE_KEY" && !garbled.description.contains(body))
        #expect(problem(["JWT_ALGORITHM": "RS256"])?.variable == "JWT_ALGORITHM")
        // A key pasted where its path belongs is not echoed back.
        let pasted = try #require(problem(["JWT_ALGORITHM": "EdDSA", "JWT_PRIVATE_KEY_FILE": edDSA.privatePEM!]))
        #expect(pasted.variable == "JWT_PRIVATE_KEY_FILE" && !pasted.description.contains(body))
        // JWT_SECRET beside a private key (a move from HS256) needs the end of its window, in UTC.
        #expect(problem(["JWT_ALGORITHM": "EdDSA", "JWT_PRIVATE_KEY_FILE": edDSAFile])?.variable == "JWT_HS256_ACCEPTED_UNTIL")
        #expect(
            problem(["JWT_ALGORITHM": "EdDSA", "JWT_PRIVATE_KEY_FILE": edDSAFile, "JWT_HS256_ACCEPTED_UNTIL": "2026-12-31"])?.variable
                == "JWT_HS256_ACCEPTED_UNTIL")
        #expect(problem(["JWT_ALGORITHM": "EdDSA", "JWT_PRIVATE_KEY_FILE": edDSAFile, "JWT_HS256_ACCEPTED_UNTIL": "2026-12-31T00:00:00Z"]) == nil)
        #expect(
            problem([
                "JWT_ALGORITHM": "EdDSA", "JWT_PRIVATE_KEY_FILE": edDSAFile, "JWT_SECRET": nil, "JWT_HS256_ACCEPTED_UNTIL": "2026-12-31T00:00:00Z",
            ])?
            .variable == "JWT_HS256_ACCEPTED_UNTIL", "a window for no secret")
        #expect(problem(["JWT_HS256_ACCEPTED_UNTIL": "2026-12-31T00:00:00Z"])?.variable == "JWT_HS256_ACCEPTED_UNTIL", "HS256 mode")
        // HS256 takes no key files; the next key must differ from the current one.
        #expect(problem(["JWT_PRIVATE_KEY_FILE": edDSAFile])?.variable == "JWT_PRIVATE_KEY_FILE")
        #expect(
            problem([
                "JWT_ALGORITHM": "EdDSA", "JWT_PRIVATE_KEY_FILE": edDSAFile, "JWT_NEXT_PUBLIC_KEY_FILE": files.write("same.pub", edDSA.publicPEM),
            ])?
            .variable == "JWT_NEXT_PUBLIC_KEY_FILE")
        #expect(
            problem(["JWT_ALGORITHM": "EdDSA", "JWT_PRIVATE_KEY_FILE": edDSAFile, "JWT_PREVIOUS_PUBLIC_KEY_FILES": edDSAFile])?
                .variable == "JWT_PREVIOUS_PUBLIC_KEY_FILES", "a private key where a public one belongs")

        // Valid: a one-line PEM with \n escapes (an .env file), no JWT_SECRET, a next key of another type.
        let oneLine = es256.privatePEM!.replacingOccurrences(of: "\n", with: "\\n")
        let next = AsymmetricKey.generate(.edDSA)
        var environment = valid
        environment["JWT_SECRET"] = nil
        environment["JWT_ALGORITHM"] = "ES256"
        environment["JWT_PRIVATE_KEY"] = oneLine
        environment["JWT_NEXT_PUBLIC_KEY_FILE"] = files.write("next.pub", next.publicPEM)
        let keys = try Configuration(environment: environment).tokenKeys
        #expect(keys.signing.keyID == es256.keyID && keys.published.map(\.keyID) == [es256.keyID, next.keyID])
        #expect(keys.verifying.isEmpty, "the next key does not verify until it signs")
    }

    @Test func hs256PublishesNoKeysAndTheKeySetIsCacheable() async throws {
        try await TestService.run { service in
            let answer = try await service.get("/.well-known/jwks.json")
            #expect(answer.status == .ok)
            #expect(String(buffer: answer.body) == #"{"keys":[]}"#)
            #expect(answer.headers[.cacheControl] == "public, max-age=300")
            let tag = try #require(answer.headers[.eTag])
            let again = try await service.get("/.well-known/jwks.json", headers: [.ifNoneMatch: "\"other\", W/\(tag)"])
            #expect(again.status == .notModified && again.body.readableBytes == 0 && again.headers[.eTag] == tag)
            #expect(try await service.get("/healthz").headers[.cacheControl] == "no-store", "every other answer stays no-store")
        }
    }

    @Test(arguments: [JWSAlgorithm.edDSA, .es256])
    func theServiceSignsWithItsKeyAndPublishesCurrentNextAndPrevious(algorithm: JWSAlgorithm) async throws {
        let files = KeyFiles()
        let current = AsymmetricKey.generate(algorithm)
        let next = AsymmetricKey.generate(.edDSA)
        let previous = AsymmetricKey.generate(.es256)
        let kakao = FakeKakao()
        kakao.addCode("asymmetric", profile: "{\"id\":77}")
        // A move from HS256: the test secret's tokens are accepted until the window's end.
        let environment = [
            "JWT_ALGORITHM": algorithm.rawValue, "JWT_PRIVATE_KEY_FILE": files.write("current.pem", current.privatePEM!),
            "JWT_NEXT_PUBLIC_KEY_FILE": files.write("next.pub", next.publicPEM),
            "JWT_PREVIOUS_PUBLIC_KEY_FILES": files.write("previous.pub", previous.publicPEM),
            "JWT_HS256_ACCEPTED_UNTIL": ISO8601DateFormatter().string(from: Date().addingTimeInterval(30 * 86_400)),
        ]
        try await TestService.run(kakao: kakao, environment: environment) { service in
            let set = try await service.get("/.well-known/jwks.json").json
            guard case .array(let keys) = set["keys"] else {
                Issue.record("no keys array: \(set)")
                return
            }
            #expect(keys.compactMap { $0["kid"]?.stringValue } == [current.keyID, next.keyID, previous.keyID])
            #expect(keys.compactMap { $0["alg"]?.stringValue } == [algorithm.rawValue, "EdDSA", "ES256"])
            #expect(keys.allSatisfy { $0["use"]?.stringValue == "sig" && $0["d"] == nil }, "public halves only")

            let body = try await service.login(code: "asymmetric", delivery: "body").json
            let access = try #require(body["access_token"]?.stringValue)
            let refresh = try #require(body["refresh_token"]?.stringValue)
            let header = String(decoding: Base64URL.decode(access.split(separator: ".")[0])!, as: UTF8.self)
            #expect(header == #"{"alg":"\#(algorithm.rawValue)","typ":"at+jwt","kid":"\#(current.keyID)"}"#)
            #expect(try await service.me(bearer: access).status == .ok)
            #expect(try await service.me(bearer: access).status == .ok, "again, from the verified-token cache")
            #expect(try await service.refresh(token: refresh).status == .ok)
            // A token of the published next key is refused until that key signs.
            let now = Int64(Date().timeIntervalSince1970)
            let early = JWTCodec(signingKey: next, issuer: "kakao-auth", audience: "kakao-auth")
                .sign(TokenClaims(subject: "user", sessionID: "session", tokenID: "token", issuedAt: now, expiresAt: now + 600), as: .access)
            #expect(try await service.me(bearer: early).problemCode == "invalid_token")
            // An HS256 token of the test secret for a live session: accepted within the window.
            let claims = try JWTCodec(signingKey: current, issuer: "kakao-auth", audience: "kakao-auth").verify(access, as: .access, now: now)
            let hs256 = JWTCodec(secret: Array(TestService.jwtSecret.utf8), issuer: "kakao-auth", audience: "kakao-auth").sign(claims, as: .access)
            #expect(try await service.me(bearer: hs256).status == .ok)
        }
    }
}
