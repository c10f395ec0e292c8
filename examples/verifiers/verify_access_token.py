"""Verify a kakao-auth access token with nothing but its JWKS URL (PyJWT 2.8+ with `cryptography`)."""
import sys

import jwt

JWKS_URL = "http://127.0.0.1:8080/.well-known/jwks.json"  # your kakao-auth's PUBLIC_URL + /.well-known/jwks.json
keys = jwt.PyJWKClient(JWKS_URL, cache_keys=True, lifespan=300)  # cached; refetched for an unknown kid


def verify_access_token(token: str) -> dict:
    if jwt.get_unverified_header(token).get("typ") != "at+jwt":
        raise jwt.InvalidTokenError("not an access token")
    key = keys.get_signing_key_from_jwt(token)  # by kid
    # The key's own algorithm from the JWKS, never the one the token names.
    return jwt.decode(token, key, algorithms=[key.algorithm_name], issuer="kakao-auth", audience="kakao-auth",
                      options={"require": ["exp", "iat", "sub", "sid"]}, leeway=30)  # claims["sub"]: the user id


def has_role(claims: dict, role: str) -> bool:
    # Sorted, possibly empty; a token of a kakao-auth before roles has none. Missing: answer 403, not 401.
    return role in claims.get("roles", [])


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: verify_access_token.py ACCESS_TOKEN [JWKS_URL [ROLE]]")
    if len(sys.argv) > 2:
        keys = jwt.PyJWKClient(sys.argv[2], cache_keys=True, lifespan=300)
    claims = verify_access_token(sys.argv[1])
    if len(sys.argv) > 3 and not has_role(claims, sys.argv[3]):
        print(f"{claims['sub']} lacks the role {sys.argv[3]}", file=sys.stderr)
        sys.exit(3)
    print(claims["sub"])
