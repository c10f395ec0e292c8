"""Kakao's account status webhook (`POST /webhooks/kakao/account-status`), against the release binary on the
suite's store (SQLite, or PostgreSQL with KAKAO_AUTH_TEST_STORE=postgres).

The hostile matrix signs its own SETs with a key that a fake Kakao publishes (Python's `cryptography` through
PyJWT, not our signer), so that every claim can be wrong under a valid signature; each refusal must carry its
RFC 8935 `err` and change nothing. The actions run end to end with the emulator playing Kakao
(`/emulator/account-event`)."""
import base64
import hashlib
import hmac
import json
import time
import uuid

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from blackbox_support import CLIENT_ID, Service
from test_admin import AdminStack, problem

PATH = "/webhooks/kakao/account-status"
SET_TYPE = "application/secevent+jwt"
CREDENTIAL_CHANGE = "https://schemas.openid.net/secevent/caep/event-type/credential-change"
ACCOUNT_DISABLED = "https://schemas.openid.net/secevent/risc/event-type/account-disabled"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
FOREIGN_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwk(key, kid):
    numbers = key.public_key().public_numbers()
    integer = lambda n: b64(n.to_bytes((n.bit_length() + 7) // 8, "big"))  # noqa: E731
    return {"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": integer(numbers.n), "e": integer(numbers.e)}


@pytest.fixture
def kakao_keys(kakao):
    """The suite's fake Kakao, publishing the key the tests sign with."""
    kakao.jwks = {"keys": [jwk(KEY, "kakao-1")]}
    return kakao


def start_service(kakao, tmp_path, **overrides):
    return Service(kakao, tmp_path, KAKAO_OIDC_ISSUER=kakao.url, KAKAO_JWKS_REFRESH_SECONDS="1", **overrides).start()


def claims(kakao, sub="4242", event=CREDENTIAL_CHANGE, **changes):
    base = {"aud": CLIENT_ID, "sub": sub, "iss": kakao.url, "txm": str(uuid.uuid4()), "iat": int(time.time()), "jti": str(uuid.uuid4()),
            "events": {event: {"subject": {"sub": sub, "subject_type": "iss-sub", "iss": kakao.url}}}}
    base.update(changes)
    return {name: value for name, value in base.items() if value is not None}


def sign(payload, key=KEY, algorithm="RS256", kid="kakao-1", typ="secevent+jwt"):
    return jwt.encode(payload, key, algorithm=algorithm, headers={"kid": kid, "typ": typ})


def unsigned(payload, **header):
    return b64(json.dumps({"typ": "secevent+jwt", "kid": "kakao-1", **header}).encode()) + "." + b64(json.dumps(payload).encode()) + "."


def push(service, token, content_type=SET_TYPE):
    return requests.post(service.url + PATH, data=token, headers={"Content-Type": content_type}, timeout=10)


def refused(answer, err):
    assert answer.status_code == 400, answer.text
    assert answer.headers["Content-Type"] == "application/json"
    body = answer.json()
    assert body["err"] == err and body["description"] and set(body) == {"err", "description"}, body


def log_in(kakao, service, kakao_id, serial):
    code = f"{kakao_id}-{serial}"
    kakao.add_code(code, kakao_id)
    answer = service.login(code)
    assert answer.status_code == 200, answer.text
    return answer.json()


def audit(service, login):
    """The user's audit events, newest first, as `kakao-auth events --json` prints them."""
    result = service.command("events", "--user", login["user"]["id"], "--json", "--limit", "200")
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def me(service, login):
    return requests.get(service.url + "/users/me", headers={"Authorization": "Bearer " + login["access_token"]}, timeout=5)


def hostile_tokens(kakao):
    """(name, body, content type, err) for every SET the receiver must refuse."""
    public_pem = KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    now = int(time.time())
    good = claims(kakao)
    id_token = {"iss": kakao.url, "aud": CLIENT_ID, "sub": "4242", "iat": now, "exp": now + 3600, "nonce": "n"}
    hmac_header = b64(json.dumps({"alg": "HS256", "typ": "secevent+jwt", "kid": "kakao-1"}).encode())
    hmac_input = hmac_header + "." + b64(json.dumps(good).encode())
    hs256 = hmac_input + "." + b64(hmac.new(public_pem, hmac_input.encode(), hashlib.sha256).digest())
    return [
        ("alg none", unsigned(good, alg="none"), SET_TYPE, "invalid_key"),
        ("HS256 keyed with the JWKS key", hs256, SET_TYPE, "invalid_key"),
        ("RS384", sign(good, algorithm="RS384"), SET_TYPE, "invalid_key"),
        ("typ JWT", sign(good, typ="JWT"), SET_TYPE, "invalid_request"),
        ("an id_token", sign(id_token, typ="JWT"), SET_TYPE, "invalid_request"),
        ("a foreign key under Kakao's kid", sign(good, key=FOREIGN_KEY), SET_TYPE, "invalid_key"),
        ("an unknown kid", sign(good, key=FOREIGN_KEY, kid="nobody"), SET_TYPE, "invalid_key"),
        ("wrong iss", sign(claims(kakao, iss="https://kauth.example")), SET_TYPE, "invalid_issuer"),
        ("wrong aud", sign(claims(kakao, aud="another-app")), SET_TYPE, "invalid_audience"),
        ("aud array without us", sign(claims(kakao, aud=["another-app"])), SET_TYPE, "invalid_audience"),
        ("iat too old", sign(claims(kakao, iat=now - 259_200 - 120)), SET_TYPE, "invalid_request"),
        ("iat in the future", sign(claims(kakao, iat=now + 300)), SET_TYPE, "invalid_request"),
        ("no iat", sign(claims(kakao, iat=None)), SET_TYPE, "invalid_request"),
        ("expired", sign(claims(kakao, exp=now - 600)), SET_TYPE, "invalid_request"),
        ("no jti", sign(claims(kakao, jti=None)), SET_TYPE, "invalid_request"),
        ("jti too long", sign(claims(kakao, jti="j" * 257)), SET_TYPE, "invalid_request"),
        ("sub not a Kakao id", sign(claims(kakao, sub="abc")), SET_TYPE, "invalid_request"),
        ("sub past 64 bits", sign(claims(kakao, sub="99999999999999999999")), SET_TYPE, "invalid_request"),
        ("subject.sub disagreeing", sign(claims(kakao, events={CREDENTIAL_CHANGE: {"subject": {"sub": "4243"}}})), SET_TYPE, "invalid_request"),
        ("events not an object", sign(claims(kakao, events=[CREDENTIAL_CHANGE])), SET_TYPE, "invalid_request"),
        ("an event not an object", sign(claims(kakao, events={CREDENTIAL_CHANGE: True})), SET_TYPE, "invalid_request"),
        ("an empty events object", sign(claims(kakao, events={})), SET_TYPE, "invalid_request"),
        ("17 KiB", sign(claims(kakao, padding="x" * 17 * 1024)), SET_TYPE, "invalid_request"),
        ("wrong content type", sign(good), "application/json", "invalid_request"),
        ("no content type", sign(good), "", "invalid_request"),
        ("not a JWS", "not-a-jws", SET_TYPE, "invalid_request"),
        ("padded base64", sign(good) + "=", SET_TYPE, "invalid_request"),
    ]


def test_every_hostile_set_is_refused_with_its_err_and_changes_nothing(kakao_keys, tmp_path):
    service = start_service(kakao_keys, tmp_path)
    try:
        login = log_in(kakao_keys, service, 4242, 1)
        for name, token, content_type, err in hostile_tokens(kakao_keys):
            answer = push(service, token, content_type)
            try:
                refused(answer, err)
            except AssertionError as failure:
                raise AssertionError(f"{name}: {failure}") from None
            assert me(service, login).status_code == 200, f"{name} changed something"
        assert "kakao_signal" not in {event["kind"] for event in audit(service, login)}
        assert "Authorization" not in service.log and "eyJ" not in service.log, "no token in the log"
        # The same SET, well formed, acts: the matrix could fail.
        assert push(service, sign(claims(kakao_keys))).status_code == 202
        problem(me(service, login), 401, "invalid_token")
    finally:
        service.kill()


def test_a_set_revokes_the_sessions_opened_before_it_acts_once_and_leaves_later_logins(kakao_keys, tmp_path):
    service = start_service(kakao_keys, tmp_path)
    try:
        before = log_in(kakao_keys, service, 5151, 1)
        # iat may be up to 60 s ahead: every session opened until then counts as before it.
        ahead = sign(claims(kakao_keys, sub="5151", iat=int(time.time()) + 30))
        answer = push(service, ahead)
        assert answer.status_code == 202 and answer.content == b"", answer.text
        problem(me(service, before), 401, "invalid_token")
        refresh = requests.post(service.url + "/auth/refresh", json={"refresh_token": before["refresh_token"]}, timeout=5)
        problem(refresh, 401, "refresh_token_invalid")

        # Replayed: answered 202, and the session opened since (before its iat) lives.
        meanwhile = log_in(kakao_keys, service, 5151, 2)
        assert push(service, ahead).status_code == 202
        assert me(service, meanwhile).status_code == 200

        # A SET about events that ended earlier leaves a login after them alone.
        time.sleep(1.1)
        after = log_in(kakao_keys, service, 5151, 3)
        assert push(service, sign(claims(kakao_keys, sub="5151", iat=int(time.time()) - 1))).status_code == 202
        assert me(service, after).status_code == 200
        problem(me(service, meanwhile), 401, "invalid_token")

        # Unknown users and events we do not act on are accepted all the same.
        assert push(service, sign(claims(kakao_keys, sub="777"))).status_code == 202
        unknown = "https://schemas.openid.net/secevent/oauth/event-type/token-issued"
        assert push(service, sign(claims(kakao_keys, sub="5151", event=unknown))).status_code == 202
        assert me(service, after).status_code == 200
        kinds = [(event["kind"], event.get("detail")) for event in audit(service, after)]
        assert ("kakao_signal", "credential-change: 1 sessions revoked") in kinds
        assert ("kakao_signal", "token-issued: recorded only") in kinds
        # The first SET, the later one and token-issued: the replay and the stranger record nothing here.
        assert sum(1 for kind, _ in kinds if kind == "kakao_signal") == 3, kinds
    finally:
        service.kill()


def test_the_rate_limit_counts_refused_sets_and_never_kakaos_valid_ones(kakao_keys, tmp_path):
    service = start_service(kakao_keys, tmp_path, RATE_LIMIT_PER_MINUTE="3")
    try:
        for _ in range(5):
            assert push(service, sign(claims(kakao_keys, sub="6161"))).status_code == 202
        answers = [push(service, "garbage").status_code for _ in range(4)]
        assert answers == [400, 400, 400, 429], answers
        assert push(service, sign(claims(kakao_keys, sub="6161"))).status_code == 202
    finally:
        service.kill()


def test_kakaos_key_set_down_or_slow_for_an_unknown_kid_answers_503_in_time_and_changes_nothing(kakao_keys, tmp_path):
    kakao_keys.jwks_status = 500
    service = start_service(kakao_keys, tmp_path)
    try:
        login = log_in(kakao_keys, service, 7171, 1)
        down = sign(claims(kakao_keys, sub="7171"))
        problem(push(service, down), 503, "service_unavailable")
        assert me(service, login).status_code == 200

        # Slower than Kakao's 3 s: answered within them all the same.
        kakao_keys.jwks_status, kakao_keys.jwks_delay = 200, 6
        time.sleep(1.1)
        started = time.monotonic()
        problem(push(service, down), 503, "service_unavailable")
        assert time.monotonic() - started < 2.9
        assert me(service, login).status_code == 200

        # Once Kakao answers, the same SET (sent again, as Kakao does) is applied.
        kakao_keys.jwks_delay = 0
        time.sleep(6)
        assert push(service, down).status_code == 202
        problem(me(service, login), 401, "invalid_token")
    finally:
        service.kill()


def event(stack, name, kakao_id):
    answer = requests.post(stack.emulator_url + "/emulator/account-event", data={
        "kakao_id": kakao_id, "event": name, "webhook_url": stack.url + PATH}, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_each_action_end_to_end_with_the_emulator_as_kakao(tmp_path):
    with AdminStack(tmp_path) as stack:
        # "This user changed their Kakao password": the session dies, a login after it lives.
        phone = stack.login(kakao_id="8101", nickname="dan")
        sent = event(stack, "credential-change", "8101")
        assert sent["status"] == 202 and sent["body"] == "", sent
        problem(requests.get(stack.url + "/users/me", headers={"Authorization": "Bearer " + phone["access_token"]}, timeout=5), 401, "invalid_token")
        time.sleep(1.1)
        laptop = stack.login(kakao_id="8101", nickname="dan")
        assert requests.get(stack.url + "/users/me", headers={"Authorization": "Bearer " + laptop["access_token"]}, timeout=5).status_code == 200
        user_id = stack.user_id(laptop)

        # Kakao disables: logins refused; Kakao enables: back.
        assert event(stack, "account-disabled", "8101")["status"] == 202
        account = stack.admin("GET", f"/admin/users/{user_id}").json()
        assert account["status"] == "disabled" and account["disabled_by"] == "kakao" and account["sessions"] == []
        answer = requests.post(stack.url + "/auth/kakao", json={"code": stack.code(kakao_id="8101"), "token_delivery": "body"}, timeout=10)
        problem(answer, 403, "account_disabled")
        assert event(stack, "account-enabled", "8101")["status"] == 202
        assert stack.admin("GET", f"/admin/users/{user_id}").json()["status"] == "active"

        # An operator's disable is not Kakao's to lift.
        assert stack.admin("POST", f"/admin/users/{user_id}/disable", json={"reason": "chargeback"}).status_code == 200
        assert event(stack, "account-enabled", "8101")["status"] == 202
        account = stack.admin("GET", f"/admin/users/{user_id}").json()
        assert account["status"] == "disabled" and account["disabled_by"] == "admin:ops"
        assert stack.admin("POST", f"/admin/users/{user_id}/enable").status_code == 200

        # The profile changed at Kakao: fetched again with the admin key.
        requests.post(stack.emulator_url + "/emulator/sdk-login", data={"kakao_id": "8101", "nickname": "daniel"}, timeout=5).raise_for_status()
        assert event(stack, "user-profile-changed", "8101")["status"] == 202
        assert stack.admin("GET", f"/admin/users/{user_id}").json()["nickname"] == "daniel"

        events = stack.admin("GET", f"/admin/users/{user_id}/events?limit=50").json()["events"]
        details = [event["detail"] for event in events if event["kind"] == "kakao_signal"]
        assert details[::-1] == [
            "credential-change: 1 sessions revoked", "account-disabled: disabled", "account-enabled: enabled",
            "account-enabled: kept disabled (admin:ops)", "user-profile-changed: profile fetched again"], details

        # The Kakao account is deleted: erased as the unlink webhook erases.
        assert event(stack, "account-purged", "8101")["status"] == 202
        problem(stack.admin("GET", f"/admin/users/{user_id}"), 404, "user_not_found")
        again = stack.login(kakao_id="8101", nickname="dan")
        assert again["new_user"] is True and stack.user_id(again) != user_id

        # The emulator refuses what it cannot send.
        assert requests.post(stack.emulator_url + "/emulator/account-event", data={"kakao_id": "x", "event": "a", "webhook_url": "file:///"},
                             timeout=5).status_code == 400
