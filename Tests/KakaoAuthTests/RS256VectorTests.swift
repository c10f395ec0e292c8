import Testing

@testable import KakaoAuthTokens

/// RS256 verification (Kakao's id_tokens) against a vector no code of ours signed: RFC 7515, Appendix A.2
/// (checked independently with Python's `cryptography` when it was added). The other id_token tests sign
/// with the same OpenSSL shim that verifies, so they cannot catch a mistake the two share.
@Suite struct RS256VectorTests {
    static let modulus =
        "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMs"
        + "D1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdV"
        + "MTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"
    static let signingInput = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    static let signature =
        "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZ"
        + "cAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-e"
        + "OkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw"

    @Test func theRFCsSignatureVerifiesAndNoAlterationDoes() throws {
        let modulus = try #require(Base64URL.decode(Self.modulus))
        let key = try #require(RSAPublicKey(modulus: modulus, exponent: [1, 0, 1]))
        let signature = try #require(Base64URL.decode(Self.signature))
        let input = Array(Self.signingInput.utf8)
        #expect(key.bits == 2048)
        #expect(key.verifiesRS256(signature, of: input))
        var tamperedInput = input
        tamperedInput[tamperedInput.count - 1] ^= 1
        #expect(!key.verifiesRS256(signature, of: tamperedInput))
        var tamperedSignature = signature
        tamperedSignature[0] ^= 0x80
        #expect(!key.verifiesRS256(tamperedSignature, of: input))
        #expect(!key.verifiesRS256(Array(signature.dropLast()), of: input), "a signature shorter than the key")
    }
}
