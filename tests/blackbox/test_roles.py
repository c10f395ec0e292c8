"""Roles and app claims (issue 23), against the release binary with the emulator as Kakao, on the suite's store
(SQLite, or PostgreSQL with KAKAO_AUTH_TEST_STORE=postgres): operators set them (admin API and `users`
commands); the next access token carries them and the current one does not; DEFAULT_ROLES at registration;
every limit refused with nothing stored; no public route lets a user set them; the largest claims fit a cookie
in every algorithm."""
import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from harness import BINARY  # noqa: E402
from test_admin import AdminStack, problem, run  # noqa: E402

MAXIMUM_ROLES = [f"{letter}{'0' * 30}{letter}" for letter in "abcdefghijklmnop"]  # 16 of 32 bytes


def payload(token):
    return json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=" * (-len(token.split(".")[1]) % 4)))


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def metadata_of(size):
    """A JSON object whose compact form is exactly `size` bytes, with non-ASCII text and nesting."""
    shell = {"org": {"name": "카카오", "tier": [1, 2, {"deep": True}]}, "pad": ""}
    base = len(json.dumps(shell, separators=(",", ":"), ensure_ascii=False).encode())
    shell["pad"] = "x" * (size - base)
    assert len(json.dumps(shell, separators=(",", ":"), ensure_ascii=False).encode()) == size
    return shell


def refresh(stack, login):
    answer = requests.post(stack.url + "/auth/refresh", json={"refresh_token": login["refresh_token"]}, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def me(stack, token):
    answer = requests.get(stack.url + "/users/me", headers={"Authorization": "Bearer " + token}, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()


def introspect(stack, token):
    answer = requests.post(stack.url + "/auth/introspect", data={"token": token}, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_an_operators_change_reaches_the_next_access_token_and_not_the_current_one(tmp_path):
    with AdminStack(tmp_path, DEFAULT_ROLES="member") as stack:
        login = stack.login(kakao_id="2301")
        user_id = stack.user_id(login)
        first = payload(login["access_token"])
        assert first["roles"] == ["member"] and "app_metadata" not in first, "DEFAULT_ROLES at registration, no metadata"
        assert me(stack, login["access_token"])["roles"] == ["member"] and me(stack, login["access_token"])["app_metadata"] == {}

        answer = stack.admin("PUT", f"/admin/users/{user_id}/roles", json={"roles": ["support.tier2", "billing:read"]})
        assert answer.status_code == 200, answer.text
        assert answer.json()["roles"] == ["billing:read", "support.tier2"] and answer.json()["app_metadata"] == {}, "sorted"
        metadata = {"plan": "team", "org": {"name": "카카오", "seats": [1, 2.5, None, False]}}
        answer = stack.admin("PUT", f"/admin/users/{user_id}/app_metadata", json=metadata)
        assert answer.status_code == 200 and answer.json()["app_metadata"] == metadata, answer.text
        assert stack.admin("GET", f"/admin/users/{user_id}").json()["roles"] == ["billing:read", "support.tier2"]

        # The current token is what it was signed as; /users/me shows what is stored now.
        assert payload(login["access_token"])["roles"] == ["member"]
        old = introspect(stack, login["access_token"])
        assert old["active"] and old["roles"] == ["member"] and "app_metadata" not in old
        now = me(stack, login["access_token"])
        assert now["roles"] == ["billing:read", "support.tier2"] and now["app_metadata"] == metadata

        refreshed = refresh(stack, login)
        claims = payload(refreshed["access_token"])
        assert claims["roles"] == ["billing:read", "support.tier2"] and claims["app_metadata"] == metadata
        assert list(claims)[-1] == "app_metadata", "last, where the fast reader expects it"
        refresh_claims = payload(refreshed["refresh_token"])
        assert "roles" not in refresh_claims and "app_metadata" not in refresh_claims, "refresh tokens carry neither"
        shown = introspect(stack, refreshed["access_token"])
        assert shown["roles"] == claims["roles"] and shown["app_metadata"] == metadata

        events = stack.admin("GET", f"/admin/users/{user_id}/events").json()["events"]
        details = {event["kind"]: event["detail"] for event in events}
        compact = len(json.dumps(metadata, separators=(",", ":"), ensure_ascii=False).encode())
        assert details["roles_changed"] == "admin=ops, roles=[billing:read,support.tier2]"
        assert details["app_metadata_changed"] == f"admin=ops, {compact} bytes", "the metadata by its size only"
        assert "카카오" not in json.dumps(events, ensure_ascii=False)

        # Cleared: roles always present, now empty; app_metadata gone from the token.
        assert stack.admin("PUT", f"/admin/users/{user_id}/roles", json={"roles": []}).json()["roles"] == []
        assert stack.admin("PUT", f"/admin/users/{user_id}/app_metadata", json={}).json()["app_metadata"] == {}
        cleared = payload(refresh(stack, refreshed)["access_token"])
        assert cleared["roles"] == [] and "app_metadata" not in cleared

        # Another new user gets the defaults; the first keeps what the operator left on a new login.
        assert payload(stack.login(kakao_id="2302")["access_token"])["roles"] == ["member"]
        assert payload(stack.login(kakao_id="2301")["access_token"])["roles"] == []


@pytest.mark.parametrize("value", ["Admin", "1st", "", "a" * 33, "a b", "role\n", "관리자", "a,b", 5, None])
def test_each_role_rule_is_refused_with_nothing_stored(tmp_path, value):
    with AdminStack(tmp_path) as stack:
        user_id = stack.user_id(stack.login(kakao_id="2311"))
        stack.admin("PUT", f"/admin/users/{user_id}/roles", json={"roles": ["kept"]}).raise_for_status()
        answer = stack.admin("PUT", f"/admin/users/{user_id}/roles", json={"roles": ["ok", value]})
        problem(answer, 400, "invalid_request")
        assert "role 2" in answer.json()["detail"] or "string" in answer.json()["detail"], answer.text
        assert stack.admin("GET", f"/admin/users/{user_id}").json()["roles"] == ["kept"]


def test_each_limit_is_refused_naming_its_rule_with_nothing_stored(tmp_path):
    with AdminStack(tmp_path) as stack:
        user_id = stack.user_id(stack.login(kakao_id="2321"))
        path = f"/admin/users/{user_id}"
        assert stack.admin("PUT", path + "/roles", json={"roles": MAXIMUM_ROLES}).json()["roles"] == MAXIMUM_ROLES
        largest = metadata_of(1024)
        assert stack.admin("PUT", path + "/app_metadata", json=largest).json()["app_metadata"] == largest
        # The size is of the compact form: the same object sent with whitespace is accepted too.
        spaced = json.dumps(largest, indent=4, ensure_ascii=False).encode()
        assert len(spaced) > 1100
        assert stack.admin("PUT", path + "/app_metadata", data=spaced, headers={"Content-Type": "application/json"}).status_code == 200

        for body, rule in (({"roles": MAXIMUM_ROLES + ["q"]}, "at most 16 roles"), ({"roles": ["a", "b", "a"]}, "each role at most once"),
                           ({"roles": "admin"}, "roles"), ({}, "roles is required"), ({"roles": [], "user": "x"}, "user")):
            answer = stack.admin("PUT", path + "/roles", json=body)
            problem(answer, 400, "invalid_request")
            assert rule in answer.json()["detail"], (body, answer.text)
        for data, rule in ((json.dumps(metadata_of(1025), ensure_ascii=False).encode(), "at most 1024"), (b"[]", "object"), (b'"x"', "object"),
                           (b"{", "JSON"), (b'{"a":1,"a":2}', "JSON"), (b'{"a":' * 600 + b"1" + b"}" * 600, "JSON"),
                           (b'{"a":"\xff"}', "JSON")):
            answer = stack.admin("PUT", path + "/app_metadata", data=data, headers={"Content-Type": "application/json"})
            problem(answer, 400, "invalid_request")
            assert rule in answer.json()["detail"], (data[:40], answer.text)
        problem(stack.admin("PUT", path + "/app_metadata", data=b'{"a":1}', headers={"Content-Type": "text/plain"}), 415, "unsupported_media_type")
        problem(stack.admin("PUT", "/admin/users/no-such-user/roles", json={"roles": []}), 404, "user_not_found")
        problem(stack.admin("PUT", "/admin/users/no-such-user/app_metadata", json={}), 404, "user_not_found")

        shown = stack.admin("GET", path).json()
        assert shown["roles"] == MAXIMUM_ROLES and shown["app_metadata"] == largest, "nothing refused was stored"
        kinds = [event["kind"] for event in stack.admin("GET", path + "/events?limit=200").json()["events"]]
        assert kinds.count("roles_changed") == 1 and kinds.count("app_metadata_changed") == 2, kinds


def test_no_public_route_lets_a_user_set_roles(tmp_path):
    with AdminStack(tmp_path) as stack:
        login = stack.login(kakao_id="2331")
        user_id = stack.user_id(login)
        for field in ({"roles": ["admin"]}, {"app_metadata": {"admin": True}}):
            answer = requests.post(stack.url + "/auth/kakao", json={"code": stack.code(kakao_id="2331"), "token_delivery": "body", **field}, timeout=10)
            problem(answer, 400, "invalid_request")
        for method in ("PUT", "PATCH", "POST"):
            answer = requests.request(method, stack.url + "/users/me", headers={"Authorization": "Bearer " + login["access_token"]},
                                      json={"roles": ["admin"]}, timeout=5)
            assert answer.status_code == 405, (method, answer.status_code)
        for path in ("/roles", "/app_metadata"):
            problem(requests.put(stack.url + f"/admin/users/{user_id}{path}", headers={"Authorization": "Bearer " + login["access_token"]},
                                 json={"roles": ["admin"]}, timeout=5), 404, "not_found")
        # A token whose roles were changed fails its signature, wherever it is presented.
        header, body, signature = login["access_token"].split(".")
        claims = payload(login["access_token"])
        claims["roles"] = ["admin"]
        forged = f"{header}.{b64url(json.dumps(claims, separators=(',', ':')).encode())}.{signature}"
        problem(requests.get(stack.url + "/users/me", headers={"Authorization": "Bearer " + forged}, timeout=5), 401, "invalid_token")
        assert introspect(stack, forged) == {"active": False}
        assert me(stack, login["access_token"])["roles"] == [] and stack.admin("GET", f"/admin/users/{user_id}").json()["roles"] == []


def generated_key(tmp_path, algorithm):
    path = tmp_path / f"{algorithm}.pem"
    subprocess.run([str(BINARY), "keys", "generate", "--algorithm", algorithm, "--out", str(path)], check=True, capture_output=True, timeout=30)
    return {"JWT_ALGORITHM": algorithm, "JWT_PRIVATE_KEY_FILE": str(path), "JWT_SECRET": ""}


@pytest.mark.parametrize("algorithm", ["HS256", "EdDSA", "ES256"])
def test_the_largest_claims_fit_the_access_cookie_in_every_algorithm(tmp_path, algorithm):
    keys = {} if algorithm == "HS256" else generated_key(tmp_path, algorithm)
    # The longest cookie this service writes: Secure, a Domain, and a __Secure- name.
    with AdminStack(tmp_path, COOKIE_SECURE="true", COOKIE_DOMAIN="auth.example-company.co.kr", **keys) as stack:
        user_id = stack.user_id(stack.login(kakao_id="2341"))
        stack.admin("PUT", f"/admin/users/{user_id}/roles", json={"roles": MAXIMUM_ROLES}).raise_for_status()
        stack.admin("PUT", f"/admin/users/{user_id}/app_metadata", json=metadata_of(1024)).raise_for_status()
        answer = requests.post(stack.url + "/auth/kakao", json={"code": stack.code(kakao_id="2341")}, timeout=10)
        assert answer.status_code == 200, answer.text
        [access] = [value for value in answer.raw.headers.getlist("Set-Cookie") if value.startswith("__Secure-access_token=")]
        assert len(access.encode()) < 4096, len(access.encode())
        token = access.split(";")[0].split("=", 1)[1]
        assert payload(token)["roles"] == MAXIMUM_ROLES and payload(token)["app_metadata"] == metadata_of(1024)
        # ... and the service accepts it back, from the cookie and as a bearer token.
        assert me(stack, token)["roles"] == MAXIMUM_ROLES
        cookie = requests.get(stack.url + "/users/me", headers={"Cookie": "__Secure-access_token=" + token}, timeout=5)
        assert cookie.status_code == 200 and cookie.json()["app_metadata"] == metadata_of(1024), cookie.text
        assert introspect(stack, token)["app_metadata"] == metadata_of(1024)


def test_the_users_commands_set_roles_and_app_metadata_as_the_admin_api_does(tmp_path):
    with AdminStack(tmp_path, DEFAULT_ROLES="member,reader") as stack:
        login = stack.login(kakao_id="2351")
        user_id = stack.user_id(login)
        assert payload(login["access_token"])["roles"] == ["member", "reader"]
        set_roles = run(stack, "users", "set-roles", "--user", user_id, "--roles", "viewer, editor")
        assert set_roles.returncode == 0 and json.loads(set_roles.stdout)["roles"] == ["editor", "viewer"], set_roles.stderr
        set_metadata = run(stack, "users", "set-app-metadata", "--user", user_id, "--json", '{"plan": "pro"}')
        assert set_metadata.returncode == 0 and json.loads(set_metadata.stdout)["app_metadata"] == {"plan": "pro"}, set_metadata.stderr
        claims = payload(refresh(stack, login)["access_token"])
        assert claims["roles"] == ["editor", "viewer"] and claims["app_metadata"] == {"plan": "pro"}
        for arguments, rule in ((["set-roles", "--roles", "Editor"], "role 1"), (["set-roles", "--roles", "a,a"], "at most once"),
                                (["set-app-metadata", "--json", "[1]"], "object"), (["set-app-metadata", "--json", "{"], "JSON")):
            refused = run(stack, "users", arguments[0], "--user", user_id, *arguments[1:])
            assert refused.returncode == 1 and "invalid_request" in refused.stderr and rule in refused.stderr, (arguments, refused.stderr)
        assert run(stack, "users", "set-roles", "--user", "no-such-user", "--roles", "a").returncode == 1
        assert json.loads(run(stack, "users", "set-roles", "--user", user_id, "--roles", "").stdout)["roles"] == []
        events = run(stack, "events", "--user", user_id).stdout
        assert "admin=cli, roles=[editor,viewer]" in events and "admin=cli, 14 bytes" in events and "admin=cli, roles=[]" in events
