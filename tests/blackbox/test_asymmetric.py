"""EdDSA and ES256 tokens from the release binary: `kakao-auth keys generate`, the JWKS that PyJWT verifies our
tokens with and nothing else, the rotation variables, and the tricks a verifier must refuse."""
import base64
import hashlib
import hmac
import json
import os
import shutil
import stat
import subprocess
import sys

import jwt
import pytest
import requests

from blackbox_support import BINARY, ROOT, Service


def generate(tmp_path, algorithm, name):
    path = tmp_path / name
    result = subprocess.run([str(BINARY), "keys", "generate", "--algorithm", algorithm, "--out", str(path)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return path, result.stdout.strip()


def public_half(tmp_path, private_path):
    path = private_path.with_suffix(".pub")
    subprocess.run(["openssl", "pkey", "-in", str(private_path), "-pubout", "-out", str(path)], check=True, timeout=30)
    return path


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_keys_generate_writes_an_owner_only_key_and_never_overwrites(tmp_path):
    path, kid = generate(tmp_path, "EdDSA", "signing.pem")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert path.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert len(kid) == 43, kid
    before = path.read_bytes()
    again = subprocess.run([str(BINARY), "keys", "generate", "--algorithm", "ES256", "--out", str(path)], capture_output=True, text=True, timeout=30)
    assert again.returncode != 0 and "cannot create" in again.stderr
    assert path.read_bytes() == before
    refused = subprocess.run([str(BINARY), "keys", "generate", "--algorithm", "HS256"], capture_output=True, text=True, timeout=30)
    assert refused.returncode != 0 and "EdDSA or ES256" in refused.stderr


@pytest.mark.parametrize("algorithm", ["EdDSA", "ES256"])
def test_pyjwt_verifies_our_tokens_from_the_jwks_alone(kakao, tmp_path, algorithm):
    current, kid = generate(tmp_path, algorithm, "current.pem")
    upcoming, next_kid = generate(tmp_path, "EdDSA", "next.pem")
    retired, previous_kid = generate(tmp_path, "ES256", "previous.pem")
    service = Service(kakao, tmp_path, JWT_ALGORITHM=algorithm, JWT_PRIVATE_KEY_FILE=str(current), JWT_SECRET="",
                      JWT_NEXT_PUBLIC_KEY_FILE=str(public_half(tmp_path, upcoming)),
                      JWT_PREVIOUS_PUBLIC_KEY_FILES=str(public_half(tmp_path, retired))).start()
    try:
        answer = requests.get(service.url + "/.well-known/jwks.json", timeout=5)
        assert answer.status_code == 200 and answer.headers["Cache-Control"] == "public, max-age=300" and answer.headers["ETag"]
        keys = answer.json()["keys"]
        assert [key["kid"] for key in keys] == [kid, next_kid, previous_kid]
        assert [key["alg"] for key in keys] == [algorithm, "EdDSA", "ES256"]
        assert all("d" not in key for key in keys)
        # Each kid is the RFC 7638 thumbprint of its key.
        for key in keys:
            members = {name: key[name] for name in ("crv", "kty", "x", "y") if name in key}
            canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode()
            assert b64url(hashlib.sha256(canonical).digest()) == key["kid"]

        kakao.add_code("asym", 31337)
        body = service.login("asym").json()
        client = jwt.PyJWKClient(service.url + "/.well-known/jwks.json")
        for name, typ in [("access_token", "at+jwt"), ("refresh_token", "refresh+jwt")]:
            token = body[name]
            assert jwt.get_unverified_header(token) == {"alg": algorithm, "typ": typ, "kid": kid}
            key = client.get_signing_key_from_jwt(token)
            claims = jwt.decode(token, key, algorithms=[algorithm], audience="kakao-auth", issuer="kakao-auth",
                                options={"require": ["exp", "iat", "sub", "jti"]})
            assert claims["sub"] == body["user"]["id"]
        assert requests.get(service.url + "/users/me", headers={"Authorization": "Bearer " + body["access_token"]}, timeout=5).status_code == 200
        assert requests.post(service.url + "/auth/refresh", json={"refresh_token": body["refresh_token"]}, timeout=5).status_code == 200

        # HS256 keyed with the public key (algorithm confusion), under our own kid: refused.
        public_pem = public_half(tmp_path, current).read_bytes()
        header = b64url(json.dumps({"alg": "HS256", "typ": "at+jwt", "kid": kid}, separators=(",", ":")).encode())
        payload = body["access_token"].split(".")[1]
        mac = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        confused = f"{header}.{payload}.{b64url(mac)}"
        refused = requests.get(service.url + "/users/me", headers={"Authorization": "Bearer " + confused}, timeout=5)
        assert refused.status_code == 401 and refused.json()["code"] == "invalid_token"
    finally:
        service.kill()


def test_a_key_of_the_wrong_type_stops_the_process_without_showing_it(kakao, tmp_path):
    path, _ = generate(tmp_path, "EdDSA", "ed.pem")
    secret_line = path.read_text().splitlines()[1]
    service = Service(kakao, tmp_path, JWT_ALGORITHM="ES256", JWT_PRIVATE_KEY=path.read_text(), JWT_SECRET="")
    result = subprocess.run([str(BINARY), "serve"], env=service.env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 78
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "JWT_PRIVATE_KEY" in lines[0] and "EdDSA" in lines[0], lines
    assert secret_line not in result.stdout + result.stderr


EXAMPLES = ROOT / "examples" / "verifiers"
VERIFIERS = {"python": [sys.executable, str(EXAMPLES / "verify_access_token.py")], "node": ["node", str(EXAMPLES / "verify-access-token.mjs")]}


@pytest.mark.parametrize("language", sorted(VERIFIERS))
@pytest.mark.parametrize("algorithm", ["EdDSA", "ES256"])
def test_the_documented_verifiers_accept_our_access_tokens_and_refuse_the_rest(kakao, tmp_path, algorithm, language):
    if language == "node" and not shutil.which("node"):
        pytest.skip("Debian's nodejs is not installed (.ci/run installs it)")
    assert (EXAMPLES / VERIFIERS[language][-1]).read_text() in (ROOT / "docs" / "verifying-tokens.md").read_text(), "the docs show the file as it is"
    current, _ = generate(tmp_path, algorithm, "current.pem")
    service = Service(kakao, tmp_path, JWT_ALGORITHM=algorithm, JWT_PRIVATE_KEY_FILE=str(current), JWT_SECRET="",
                      DEFAULT_ROLES="reader,support.tier2").start()
    try:
        kakao.add_code("verify", 4040)
        body = service.login("verify").json()
        jwks = service.url + "/.well-known/jwks.json"

        def run(token, *role):
            return subprocess.run([*VERIFIERS[language], token, jwks, *role], capture_output=True, text=True, timeout=30)

        accepted = run(body["access_token"])
        assert accepted.returncode == 0 and accepted.stdout.strip() == body["user"]["id"], accepted.stderr
        # The role check: the token has the default roles and no other (3: verified, but lacking the role).
        for role in ("reader", "support.tier2"):
            has = run(body["access_token"], role)
            assert has.returncode == 0 and has.stdout.strip() == body["user"]["id"], has.stderr
        for role in ("editor", "read", "reader,support.tier2"):
            lacks = run(body["access_token"], role)
            assert lacks.returncode == 3 and lacks.stdout == "" and f"lacks the role {role}" in lacks.stderr, (role, lacks)
        header, payload, signature = body["access_token"].split(".")
        flipped = signature[:5] + ("A" if signature[5] != "A" else "B") + signature[6:]
        unsigned = b64url(json.dumps({"alg": "none", "typ": "at+jwt", "kid": jwt.get_unverified_header(body["access_token"])["kid"]}).encode())
        for refused in (body["refresh_token"], f"{header}.{payload}.{flipped}", f"{unsigned}.{payload}."):
            assert run(refused).returncode != 0, refused
    finally:
        service.kill()
