"""A standard JWT library verifies our tokens with nothing but the shared secret."""
import jwt
import pytest
import requests

from blackbox_support import JWT_SECRET


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
