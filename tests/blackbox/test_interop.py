"""A standard JWT library verifies our tokens with nothing but the shared secret, and signs id_tokens as
Kakao does that the service accepts."""
import base64
import time

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from blackbox_support import CLIENT_ID, JWT_SECRET, Service


def test_pyjwt_verifies_access_and_refresh_tokens(kakao, service):
    kakao.add_code("c1", 9223372036854775807, email="a@kakao.test", is_email_valid=True, is_email_verified=True)
    body = service.login("c1").json()
    user_id = body["user"]["id"]
    for name, typ in [("access_token", "at+jwt"), ("refresh_token", "refresh+jwt")]:
        token = body[name]
        header = jwt.get_unverified_header(token)
        assert header["alg"] == "HS256" and header["typ"] == typ and header["kid"]
        claims = jwt.decode(
            token, JWT_SECRET, algorithms=["HS256"], audience="kakao-auth", issuer="kakao-auth",
            options={"require": ["exp", "iat", "iss", "aud", "sub", "jti"]},
        )
        assert claims["sub"] == user_id
        assert claims["sid"]
        # No personal data in tokens.
        assert "a@kakao.test" not in str(claims) and "9223372036854775807" not in str(claims)
    assert body["expires_in"] == 900


def test_pyjwt_refuses_our_token_under_another_secret(kakao, service):
    kakao.add_code("c2", 5)
    token = service.login("c2").json()["access_token"]
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "another-secret-another-secret-0123456789", algorithms=["HS256"], audience="kakao-auth")


def test_token_minted_by_pyjwt_with_other_header_is_refused(kakao, service):
    kakao.add_code("c3", 6)
    body = service.login("c3").json()
    claims = jwt.decode(body["access_token"], JWT_SECRET, algorithms=["HS256"], audience="kakao-auth")
    # Same secret, same claims, but PyJWT's own header ("typ": "JWT", no kid): not a token we issue.
    forged = jwt.encode(claims, JWT_SECRET, algorithm="HS256")
    response = requests.get(service.url + "/users/me", headers={"Authorization": "Bearer " + forged}, timeout=5)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_an_id_token_signed_by_another_library_logs_in_once(kakao, tmp_path):
    """RS256 as Python's `cryptography` (through PyJWT) signs it, not as our own shim does: the service
    verifies it against the key set Kakao publishes, logs the user in, and refuses the same token again."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = key.public_key().public_numbers()

    def b64(number):
        return base64.urlsafe_b64encode(number.to_bytes((number.bit_length() + 7) // 8, "big")).rstrip(b"=").decode()
    kakao.jwks = {"keys": [{"kty": "RSA", "kid": "py-key-1", "use": "sig", "alg": "RS256", "n": b64(numbers.n), "e": b64(numbers.e)}]}
    service = Service(kakao, tmp_path, KAKAO_OIDC_ISSUER=kakao.url).start()
    try:
        now = int(time.time())
        token = jwt.encode({"iss": kakao.url, "aud": CLIENT_ID, "sub": "4242", "iat": now, "exp": now + 3600, "nonce": "py-nonce",
                            "nickname": "파이썬"}, key, algorithm="RS256", headers={"kid": "py-key-1"})
        body = {"id_token": token, "nonce": "py-nonce", "token_delivery": "body"}
        first = requests.post(service.url + "/auth/kakao", json=body, timeout=10)
        assert first.status_code == 200, first.text
        assert first.json()["user"]["kakao_id"] == "4242" and first.json()["user"]["nickname"] == "파이썬"
        again = requests.post(service.url + "/auth/kakao", json=body, timeout=10)
        assert again.status_code == 400 and again.json()["code"] == "id_token_reused", again.text
    finally:
        service.kill()
