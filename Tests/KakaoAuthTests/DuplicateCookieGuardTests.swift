import Foundation
import HTTPTypes
import Hummingbird
import Testing

@testable import KakaoAuth
@testable import KakaoAuthTokens

/// Cookie tossing: a request with two cookies of one of our names is served with neither.
@Suite struct DuplicateCookieGuardTests {
    /// The attributes of each cookie of `name` (attribute order is not fixed).
    static func attributes(of name: String, in setCookies: [String]) -> [Set<String>] {
        setCookies.filter { $0.hasPrefix(name + "=") }.map {
            Set($0.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) })
        }
    }

    @Test func twoRefreshCookiesAreRefusedClearedAndNothingRotates() async throws {
        let kakao = FakeKakao()
        for code in ["victim", "attacker"] { kakao.addCode(code, profile: "{\"id\":\(code.count)}") }
        try await TestService.run(kakao: kakao, environment: ["COOKIE_DOMAIN": "example.com"]) { service in
            let victim = try #require(try await service.login(code: "victim").setCookies["__Secure-refresh_token"]?.value)
            let attacker = try #require(try await service.login(code: "attacker").setCookies["__Secure-refresh_token"]?.value)
            let tokensBefore = try service.count("refresh_tokens")
            // The browser sends the planted cookie (longer Path) first.
            let tossed: HTTPFields = [
                .cookie: "__Secure-refresh_token=\(attacker); __Secure-refresh_token=\(victim)", HTTPField.Name("Host")!: "auth.example.com",
            ]
            for path in ["/auth/refresh", "/auth/logout"] {
                let answer = try await service.post(path, headers: tossed)
                #expect(answer.status == .badRequest)
                #expect(answer.problemCode == "duplicate_cookie")
                let clearing = Self.attributes(of: "__Secure-refresh_token", in: answer.headers[values: .setCookie])
                #expect(answer.headers[values: .setCookie].allSatisfy { $0.hasPrefix("__Secure-refresh_token=;") })
                #expect(clearing.allSatisfy { $0.isSuperset(of: ["Max-Age=0", "Secure", "HttpOnly"]) })
                for wanted: Set<String> in [
                    ["Path=\(path)"], ["Domain=example.com", "Path=\(path)"], ["Path=/auth"], ["Domain=auth.example.com", "Path=/"],
                ] {
                    #expect(clearing.contains { $0.isSuperset(of: wanted) }, "\(path): \(wanted) in \(clearing)")
                }
                #expect(!clearing.contains { $0.contains("Domain=com") }, "never a cookie for a top-level domain")
            }
            // Split over two Cookie headers, or one of them another of our names: the same.
            let split: HTTPFields = [.cookie: "__Secure-refresh_token=\(attacker)", .cookie: "a=b; __Secure-refresh_token=\(victim)"]
            #expect(try await service.post("/auth/refresh", headers: split).problemCode == "duplicate_cookie")
            let access: HTTPFields = [.cookie: "__Secure-access_token=x; __Secure-access_token=y"]
            #expect(try await service.get("/users/me", headers: access).problemCode == "duplicate_cookie")
            #expect(try service.count("refresh_tokens") == tokensBefore, "neither session was rotated")
            #expect(try service.count("sessions", where: "revoked_at IS NOT NULL") == 0)
            // A name that imitates ours (a line separator or a NEL before it, which a lax reader would trim) is
            // as ambiguous as a duplicate; spaces and tabs around a name are trimmed and it is ours.
            for lookalike in [
                "\u{2028}__Secure-refresh_token", "\u{2029}__Secure-refresh_token", "\u{85}__Secure-refresh_token", "__Secure-refresh_token\u{A0}",
            ] {
                let headers: HTTPFields = [.cookie: "\(lookalike)=\(attacker); __Secure-refresh_token=\(victim)"]
                #expect(
                    try await service.post("/auth/refresh", headers: headers).problemCode == "duplicate_cookie",
                    "\(lookalike.unicodeScalars.first!.value)")
            }
            let spaced: HTTPFields = [.cookie: "__Secure-refresh_token =\(attacker);\t__Secure-refresh_token=\(victim)"]
            #expect(try await service.post("/auth/refresh", headers: spaced).problemCode == "duplicate_cookie")
            // One cookie of each name is fine, and cookies of other names may repeat.
            let single: HTTPFields = [.cookie: "other=1; other=2; __Secure-refresh_token=\(victim)"]
            #expect(try await service.post("/auth/refresh", headers: single).status == .ok)
        }
    }

    @Test func everyReaderOfOurCookiesSeesTheNamesTheGuardSees() {
        func cookies(_ header: String) -> CookieHeader {
            CookieHeader(
                Request(
                    head: HTTPRequest(method: .get, scheme: "https", authority: "x", path: "/", headerFields: [.cookie: header]),
                    body: .init(buffer: ByteBuffer())))
        }
        #expect(
            cookies(" a = 1 ;\tb=2; c").pairs.map { "\(String(decoding: $0.name, as: UTF8.self))=\(String(decoding: $0.value, as: UTF8.self))" } == [
                "a=1", "b=2",
            ])
        #expect(cookies("a=1; a=2").value(of: "a") == nil, "two of a name: neither")
        #expect(cookies("\u{2028}a=1").value(of: "a") == nil, "only spaces and tabs are trimmed")
        #expect(cookies("x=1; a=v=w").value(of: "a") == "v=w")
        // Bytes, not Characters: a value ending in U+0600 (a "Prepend" scalar) would join the `;` after it
        // into one Character and hide the next cookie; U+037E is canonically `;` but is not a separator.
        #expect(cookies("a=x\u{600}; a=y").value(of: "a") == nil, "the second `a` is seen")
        #expect(cookies("a=x\u{600}; b=y").value(of: "b") == "y")
        #expect(cookies("a=x\u{37E}b=y").value(of: "b") == nil)
        // A name canonically equal to ours (KELVIN SIGN for K) is another name, and an imitation.
        #expect(cookies("\u{212A}ey=1").value(of: "Key") == nil)
        #expect(cookies("\u{212A}ey=1; Key=2").ambiguousNames(among: ["Key"]) == ["Key"])
        #expect(
            cookies("__secure-refresh_token=1; __Secure-refresh_token=2").ambiguousNames(among: ["__Secure-refresh_token"]) == [
                "__Secure-refresh_token"
            ])
        #expect(cookies("other=1; other=2; __Secure-refresh_token=2").ambiguousNames(among: ["__Secure-refresh_token"]).isEmpty)
    }

    /// The reproducer of the review: the attacker's cookie value ends in U+0600, the victim's follows it.
    @Test func aGraphemeClusterCannotHideTheVictimsCookie() async throws {
        let kakao = FakeKakao()
        for code in ["victim", "attacker"] { kakao.addCode(code, profile: "{\"id\":\(code.count)}") }
        try await TestService.run(kakao: kakao) { service in
            let victim = try #require(try await service.login(code: "victim").setCookies["__Secure-refresh_token"]?.value)
            let attacker = try #require(try await service.login(code: "attacker").setCookies["__Secure-refresh_token"]?.value)
            for planted in ["__Secure-refresh_token=\(attacker)\u{600}", "__secure-refresh_token=\(attacker)", "__SECURE-REFRESH_TOKEN=\(attacker)"] {
                let headers: HTTPFields = [.cookie: "\(planted); __Secure-refresh_token=\(victim)"]
                let answer = try await service.post("/auth/refresh", headers: headers)
                #expect(answer.problemCode == "duplicate_cookie", "\(planted.prefix(24))")
                #expect(answer.setCookies.values.allSatisfy { $0.value.isEmpty }, "no session's cookies are set")
            }
        }
    }

    @Test func clearingCookiesCoverEveryDomainAndPathACookieOfThisRequestCanHave() {
        let guardian = DuplicateCookieGuard(names: ["__Secure-refresh_token", "__Host-access_token"], secure: true)
        let request = Request(
            head: HTTPRequest(method: .post, scheme: "https", authority: "a.auth.example.co.kr:8443", path: "/auth/refresh"),
            body: .init(buffer: ByteBuffer()))
        let cookies = guardian.clearingCookies(for: ["__Secure-refresh_token", "__Host-access_token"], request: request).map(\.description)
        let refresh = Self.attributes(of: "__Secure-refresh_token", in: cookies)
        let domains = Set(refresh.flatMap { $0.filter { $0.hasPrefix("Domain=") } })
        #expect(domains == ["Domain=a.auth.example.co.kr", "Domain=auth.example.co.kr", "Domain=example.co.kr", "Domain=co.kr"])
        // Each of three paths, host-only and for each of the four domains.
        #expect(Set(refresh.flatMap { $0.filter { $0.hasPrefix("Path=") } }) == ["Path=/", "Path=/auth", "Path=/auth/refresh"])
        #expect(refresh.count == 3 * 5)
        #expect(Self.attributes(of: "__Host-access_token", in: cookies) == [["Max-Age=0", "Path=/", "Secure", "HttpOnly"]])
        #expect((refresh + Self.attributes(of: "__Host-access_token", in: cookies)).allSatisfy { $0.isSuperset(of: ["Max-Age=0", "Secure"]) })
    }

    /// The Host header becomes the clearing cookies' `Domain`: one that is not a host name adds no domain,
    /// so that its `;` cannot add attributes (`SameSite=None`) of its own.
    @Test func aHostThatIsNotAHostNameGivesNoDomain() {
        let guardian = DuplicateCookieGuard(names: ["__Secure-refresh_token"], secure: true)
        for authority in ["auth.example.com;SameSite=None", "auth.example.com; Domain=evil.example", "a.\u{212A}akao.com", "ex ample.com"] {
            let request = Request(
                head: HTTPRequest(method: .post, scheme: "https", authority: authority, path: "/auth/refresh"), body: .init(buffer: ByteBuffer()))
            let cookies = guardian.clearingCookies(for: ["__Secure-refresh_token"], request: request).map(\.description)
            #expect(!cookies.contains { $0.contains("Domain=") || $0.contains("SameSite") }, "\(authority): \(cookies)")
            #expect(cookies.count == 3, "host-only, for each of the three paths")
        }
    }
}
