"""The admin API and users' own sessions, against the release binary with the emulator as Kakao, on the suite's
store (SQLite, or PostgreSQL with KAKAO_AUTH_TEST_STORE=postgres): the admin port serves only its routes and only
with a key of ADMIN_API_KEYS; each route with its errors; a disable stops every login shape and every live token
at once; pagination visits each user once while users register; users see and end their own sessions and no
one else's; the audit log names the operator; the `users` and `admin-key` commands."""
import hashlib
import http.client
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from harness import BINARY, Stack, free_port, wait_until_listening  # noqa: E402


def generate_key(name):
    result = subprocess.run([str(BINARY), "admin-key", "generate", name], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(":", 1) for line in result.stdout.strip().splitlines())
    return lines["key"].strip(), lines["entry"].strip()


class AdminStack(Stack):
    """The stack with the admin listener on a port of its own (and, with `metrics_on_admin`, /metrics there)."""

    def __init__(self, directory, metrics_on_admin=False, **overrides):
        self.admin_port = free_port()
        self.key, entry = generate_key("ops")
        _, other_entry = generate_key("night-shift")
        metrics = {"METRICS_PORT": str(self.admin_port)} if metrics_on_admin else {}
        super().__init__(directory, ADMIN_PORT=str(self.admin_port), ADMIN_API_KEYS=f"{entry}, {other_entry}", **metrics, **overrides)
        self.admin_url = f"http://127.0.0.1:{self.admin_port}"

    def __enter__(self):
        super().__enter__()
        wait_until_listening(self.admin_port, self.processes[-1], self.directory / "service.log")
        return self

    def admin(self, method, path, key=None, headers=None, **arguments):
        headers = {"Authorization": f"Bearer {key or self.key}", **(headers or {})}
        return requests.request(method, self.admin_url + path, headers=headers, timeout=10, **arguments)

    def user_id(self, login):
        return login["user"]["id"]


def problem(answer, status, code):
    assert answer.status_code == status, answer.text
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert answer.json()["code"] == code, answer.text


def test_the_admin_port_serves_only_its_routes_and_only_with_a_key(tmp_path):
    with AdminStack(tmp_path, metrics_on_admin=True) as stack:
        assert requests.get(stack.admin_url + "/healthz", timeout=5).status_code == 200
        assert "kakao_auth_http_requests_total" in requests.get(stack.admin_url + "/metrics", timeout=5).text
        for path in ("/readyz", "/openapi.yaml", "/users/me", "/.well-known/jwks.json", "/admin", "/admin/nothing", "/auth/kakao"):
            assert stack.admin("GET", path).status_code == 404, path
        assert stack.admin("POST", "/auth/kakao", json={"code": "x"}).status_code == 404
        # The public port never serves the admin API, whatever the key; nor /metrics once it is on the admin port.
        for path in ("/admin/users", "/admin/users/x"):
            problem(requests.get(stack.url + path, headers={"Authorization": f"Bearer {stack.key}"}, timeout=5), 404, "not_found")
        assert requests.get(stack.url + "/metrics", timeout=5).status_code == 404

        problem(requests.get(stack.admin_url + "/admin/users", timeout=5), 401, "invalid_credentials")
        for wrong in ("x", stack.key[:-1], stack.key + "A", stack.key.upper(), "A" * 300, hashlib.sha256(stack.key.encode()).hexdigest()):
            problem(stack.admin("GET", "/admin/users", key=wrong), 401, "invalid_credentials")
        problem(requests.get(stack.admin_url + "/admin/users", headers={"Authorization": "Basic " + stack.key}, timeout=5), 401, "invalid_credentials")
        # Refused before the body is read: a disable without a key changes nothing.
        login = stack.login(kakao_id="501")
        problem(requests.post(stack.admin_url + f"/admin/users/{stack.user_id(login)}/disable", json={"reason": "x"}, timeout=5),
                401, "invalid_credentials")
        answer = stack.admin("GET", "/admin/users")
        assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
        assert [user["status"] for user in answer.json()["users"]] == ["active"]
        problem(stack.admin("PUT", "/admin/users"), 405, "method_not_allowed")
        log = (tmp_path / "service.log").read_text()
        assert stack.key not in log and "admin listening" in log


def test_wrong_keys_count_against_the_rate_limit_and_a_right_key_does_not(tmp_path):
    with AdminStack(tmp_path, RATE_LIMIT_PER_MINUTE="5") as stack:
        for _ in range(12):
            assert stack.admin("GET", "/admin/users").status_code == 200
        statuses = [stack.admin("GET", "/admin/users", key="wrong").status_code for _ in range(7)]
        assert statuses[:5] == [401] * 5 and statuses[5:] == [429, 429], statuses
        assert stack.admin("GET", "/admin/users").status_code == 200


def test_each_route_and_its_errors(tmp_path):
    with AdminStack(tmp_path) as stack:
        alice = stack.login(kakao_id="601", nickname="Alice Kim", email="alice@example.com")
        time.sleep(1.1)  # registrations are ordered by their second (then by id): bob is newer
        stack.login(kakao_id="602", nickname="bob", email="BOB@Example.com")
        alice_id = stack.user_id(alice)

        def names(query):
            answer = stack.admin("GET", "/admin/users" + query)
            assert answer.status_code == 200, answer.text
            return [user["nickname"] for user in answer.json()["users"]]

        assert names("") == ["bob", "Alice Kim"]
        assert names("?q=ALICE") == ["Alice Kim"] and names("?q=example.COM") == ["bob", "Alice Kim"]
        assert names("?kakao_id=602") == ["bob"] and names("?kakao_id=6020") == []
        assert names("?q=&status=active&limit=1") == ["bob"] and names("?status=disabled") == []
        for query in ("?limit=0", "?limit=201", "?limit=x", "?status=banned", "?kakao_id=-1", "?cursor=nope", "?sort=name",
                      "?q=a&q=b", "?q=" + "a" * 201, "?q=%00"):
            problem(stack.admin("GET", "/admin/users" + query), 400, "invalid_request")
        # Sent as written (requests would re-quote a bad escape): a malformed query is refused, not guessed.
        for query in ("?q=%ZZ", "?q=%C3%28", "?q=%"):
            connection = http.client.HTTPConnection("127.0.0.1", stack.admin_port, timeout=5)
            connection.request("GET", "/admin/users" + query, headers={"Authorization": f"Bearer {stack.key}"})
            answer = connection.getresponse()
            assert answer.status == 400 and json.loads(answer.read())["code"] == "invalid_request", query
            connection.close()

        shown = stack.admin("GET", f"/admin/users/{alice_id}").json()
        assert shown["kakao_id"] == "601" and shown["status"] == "active" and shown["live_sessions"] == 1
        assert shown["disabled_at"] is None and shown["disabled_reason"] is None and shown["disabled_by"] is None
        [session] = shown["sessions"]
        assert set(session) == {"id", "created_at", "last_used_at", "expires_at", "user_agent", "client_ip"}
        assert session["client_ip"] == "127.0.0.1" and session["user_agent"].startswith("python-requests")
        assert session["created_at"].endswith("Z")
        for method, path in (("GET", ""), ("POST", "/enable"), ("DELETE", "/sessions"), ("DELETE", "/sessions/x"), ("GET", "/events"), ("DELETE", "")):
            problem(stack.admin(method, "/admin/users/no-such-user" + path), 404, "user_not_found")
        problem(stack.admin("POST", "/admin/users/no-such-user/disable", json={"reason": "x"}), 404, "user_not_found")

        for body in ({}, {"reason": ""}, {"reason": "x" * 201}, {"reason": "line\nbreak"}, {"reason": 5}, {"reason": "x", "until": 1}):
            problem(stack.admin("POST", f"/admin/users/{alice_id}/disable", json=body), 400, "invalid_request")
        problem(stack.admin("POST", f"/admin/users/{alice_id}/disable", data="reason=x",
                            headers={"Content-Type": "application/x-www-form-urlencoded"}), 415, "unsupported_media_type")
        disabled = stack.admin("POST", f"/admin/users/{alice_id}/disable", json={"reason": "스팸 신고 " + "x" * 194})
        assert disabled.status_code == 200, disabled.text
        assert disabled.json()["status"] == "disabled" and disabled.json()["disabled_by"] == "admin:ops" and disabled.json()["sessions"] == []
        again = stack.admin("POST", f"/admin/users/{alice_id}/disable", json={"reason": "a second reason"})
        assert again.status_code == 200 and again.json()["disabled_at"] == disabled.json()["disabled_at"]
        assert again.json()["disabled_reason"] == disabled.json()["disabled_reason"], "repeating changes nothing"
        problem(stack.admin("POST", f"/admin/users/{alice_id}/enable", json={"reason": "x"}), 400, "invalid_request")
        enabled = stack.admin("POST", f"/admin/users/{alice_id}/enable")
        assert enabled.status_code == 200 and enabled.json()["status"] == "active" and enabled.json()["disabled_by"] is None

        stack.login(kakao_id="601")
        stack.login(kakao_id="601")
        current = stack.admin("GET", f"/admin/users/{alice_id}").json()["sessions"]
        assert len(current) == 2 and current[0]["created_at"] >= current[1]["created_at"]
        assert stack.admin("DELETE", f"/admin/users/{alice_id}/sessions/{current[0]['id']}").status_code == 204
        problem(stack.admin("DELETE", f"/admin/users/{alice_id}/sessions/{current[0]['id']}"), 404, "session_not_found")
        bob_id = stack.admin("GET", "/admin/users?kakao_id=602").json()["users"][0]["id"]
        bob_session = stack.admin("GET", f"/admin/users/{bob_id}").json()["sessions"][0]["id"]
        problem(stack.admin("DELETE", f"/admin/users/{alice_id}/sessions/{bob_session}"), 404, "session_not_found")
        assert stack.admin("DELETE", f"/admin/users/{alice_id}/sessions").json() == {"revoked": 1}
        assert stack.admin("DELETE", f"/admin/users/{alice_id}/sessions").json() == {"revoked": 0}

        events = stack.admin("GET", f"/admin/users/{alice_id}/events?limit=200").json()["events"]
        kinds = [event["kind"] for event in events]
        assert kinds[:5] == ["sessions_revoked", "session_revoked", "login", "login", "account_enabled"], kinds
        details = {event["kind"]: event["detail"] for event in reversed(events)}
        assert details["account_disabled"] == "admin=ops, 1 sessions revoked" and details["account_enabled"] == "admin=ops"
        assert details["session_revoked"] == "admin=ops" and details["sessions_revoked"] == "admin=ops, 1 sessions"
        problem(stack.admin("GET", f"/admin/users/{alice_id}/events?limit=500"), 400, "invalid_request")

        # Erased as the user's own deletion erases: unlinked at Kakao (the emulator) first, then gone.
        assert stack.admin("DELETE", f"/admin/users/{alice_id}").status_code == 204
        problem(stack.admin("GET", f"/admin/users/{alice_id}"), 404, "user_not_found")
        assert names("") == ["bob"]
        assert stack.admin("GET", f"/admin/users/{bob_id}").json()["live_sessions"] == 1, "the other user is untouched"


def test_a_disable_stops_every_login_shape_and_every_live_token_at_once(tmp_path):
    with AdminStack(tmp_path, KAKAO_APP_ID=Stack.APP_ID) as stack:
        first, second = stack.login(kakao_id="701"), stack.login(kakao_id="701")
        user_id = stack.user_id(first)
        assert stack.admin("POST", f"/admin/users/{user_id}/disable", json={"reason": "abuse"}).status_code == 200
        for login in (first, second):
            problem(requests.get(stack.url + "/users/me", headers={"Authorization": "Bearer " + login["access_token"]}, timeout=5), 401, "invalid_token")
            problem(requests.post(stack.url + "/auth/refresh", json={"refresh_token": login["refresh_token"]}, timeout=5), 401, "refresh_token_invalid")
            introspected = requests.post(stack.url + "/auth/introspect", json={"token": login["access_token"]}, timeout=5)
            assert introspected.json() == {"active": False}
        sdk = requests.post(stack.emulator_url + "/emulator/sdk-login", data={"kakao_id": "701", "nonce": ""}, timeout=5).json()
        for body in ({"code": stack.code(kakao_id="701")}, {"id_token": sdk["id_token"]}, {"access_token": sdk["access_token"]}):
            problem(requests.post(stack.url + "/auth/kakao", json={**body, "token_delivery": "body"}, timeout=10), 403, "account_disabled")
        shown = stack.admin("GET", f"/admin/users/{user_id}").json()
        assert shown["live_sessions"] == 0 and shown["disabled_reason"] == "abuse"
        kinds = [event["kind"] for event in stack.admin("GET", f"/admin/users/{user_id}/events").json()["events"]]
        assert kinds.count("login_refused_disabled") == 3 and "account_disabled" in kinds

        assert stack.admin("POST", f"/admin/users/{user_id}/enable").status_code == 200
        again = stack.login(kakao_id="701")
        assert requests.get(stack.url + "/users/me", headers={"Authorization": "Bearer " + again["access_token"]}, timeout=5).status_code == 200
        problem(requests.post(stack.url + "/auth/refresh", json={"refresh_token": first["refresh_token"]}, timeout=5), 401, "refresh_token_invalid")


def test_following_next_cursor_visits_each_user_once_while_users_register(tmp_path):
    with AdminStack(tmp_path) as stack:
        existing = {stack.user_id(stack.login(kakao_id=str(800 + number), nickname=f"page{number}")) for number in range(7)}
        seen, cursor, pages = [], None, 0
        while True:
            answer = stack.admin("GET", "/admin/users?q=page&limit=3" + (f"&cursor={cursor}" if cursor else ""))
            assert answer.status_code == 200, answer.text
            seen += [user["id"] for user in answer.json()["users"]]
            cursor, pages = answer.json()["next_cursor"], pages + 1
            # Users who register meanwhile sort before the first page, and shift nothing later.
            stack.login(kakao_id=str(900 + pages), nickname=f"page-late{pages}")
            if cursor is None:
                break
        # Every user that existed is seen exactly once; one registered meanwhile at most once (in the very
        # second of a page's last user, it may sort after it).
        assert len(seen) == len(set(seen)) and existing <= set(seen), seen
        late = set(seen) - existing
        assert all(stack.admin("GET", f"/admin/users/{user}").json()["nickname"].startswith("page-late") for user in late)
        assert pages >= 3


def test_users_see_and_end_their_own_sessions_and_no_one_elses(tmp_path):
    with AdminStack(tmp_path) as stack:
        phone, laptop, tablet = (stack.login(kakao_id="1001") for _ in range(3))
        other = stack.login(kakao_id="1002")

        def call(method, path, login, **arguments):
            return requests.request(method, stack.url + path, headers={"Authorization": "Bearer " + login["access_token"]}, timeout=5, **arguments)

        listed = call("GET", "/users/me/sessions", laptop).json()["sessions"]
        assert len(listed) == 3 and [session["current"] for session in listed].count(True) == 1
        laptop_session = next(session for session in listed if session["current"])
        assert set(laptop_session) == {"id", "current", "created_at", "last_used_at", "expires_at", "user_agent", "client_ip"}
        other_session = call("GET", "/users/me/sessions", other).json()["sessions"][0]["id"]
        problem(call("DELETE", f"/users/me/sessions/{other_session}", laptop), 404, "session_not_found")
        problem(call("DELETE", "/users/me/sessions/made-up", laptop), 404, "session_not_found")
        assert call("GET", "/users/me", other).status_code == 200, "the other user's session is untouched"

        phone_session = next(session["id"] for session in listed if not session["current"] and session["id"] != laptop_session["id"])
        assert call("DELETE", f"/users/me/sessions/{phone_session}", laptop).status_code == 204
        assert len(call("GET", "/users/me/sessions", laptop).json()["sessions"]) == 2
        assert call("DELETE", "/users/me/sessions", laptop).json() == {"revoked": 1}
        assert call("DELETE", "/users/me/sessions", laptop).json() == {"revoked": 0}
        assert [session["id"] for session in call("GET", "/users/me/sessions", laptop).json()["sessions"]] == [laptop_session["id"]]
        for login in (phone, tablet):
            problem(call("GET", "/users/me", login), 401, "invalid_token")
        problem(requests.get(stack.url + "/users/me/sessions", timeout=5), 401, "invalid_token")

        # With the cookies, the cross-origin rules of the other cookie routes, before the body is read.
        cookies = {"access_token": laptop["access_token"]}
        problem(requests.delete(stack.url + "/users/me/sessions", cookies=cookies, headers={"Origin": "https://evil.example"}, timeout=5),
                403, "csrf_rejected")
        assert requests.get(stack.url + "/users/me/sessions", cookies=cookies, timeout=5).status_code == 200
        user_id = stack.user_id(laptop)
        events = stack.admin("GET", f"/admin/users/{user_id}/events").json()["events"]
        assert [(event["kind"], event["detail"]) for event in events if event["kind"] in ("session_revoked", "sessions_revoked")] == [
            ("sessions_revoked", "other devices, by the user, 1 sessions"), ("session_revoked", "by the user")]


def run(stack, *arguments):
    return subprocess.run([str(BINARY), *arguments], env=stack.env, capture_output=True, text=True, timeout=60)


def test_the_users_commands_act_as_the_admin_api_does_and_are_audited_as_cli(tmp_path):
    with AdminStack(tmp_path) as stack:
        login = stack.login(kakao_id="1101", nickname="carol")
        user_id = stack.user_id(login)
        found = run(stack, "users", "find", "--q", "CAROL")
        assert found.returncode == 0, found.stderr
        assert '"nickname":"carol"' in found.stdout and '"next_cursor":null' in found.stdout
        disabled = run(stack, "users", "disable", "--user", user_id, "--reason", "chargeback")
        assert disabled.returncode == 0 and '"disabled_by":"admin:cli"' in disabled.stdout, disabled.stderr
        problem(requests.get(stack.url + "/users/me", headers={"Authorization": "Bearer " + login["access_token"]}, timeout=5), 401, "invalid_token")
        assert '"status":"disabled"' in run(stack, "users", "show", "--user", user_id).stdout
        assert '"status":"active"' in run(stack, "users", "enable", "--user", user_id).stdout
        stack.login(kakao_id="1101")
        assert run(stack, "users", "revoke-sessions", "--user", user_id).stdout.strip() == '{"revoked":1}'
        missing = run(stack, "users", "show", "--user", "no-such-user")
        assert missing.returncode == 1 and "user_not_found" in missing.stderr
        assert run(stack, "users", "disable", "--user", user_id, "--reason", "").returncode == 1
        events = run(stack, "events", "--user", user_id).stdout
        assert "account_disabled" in events and "admin=cli" in events
        erased = run(stack, "users", "erase", "--user", user_id)
        assert erased.returncode == 0 and '"unlinked_at_kakao":true' in erased.stdout, erased.stderr
        assert run(stack, "users", "show", "--user", user_id).returncode == 1


@pytest.mark.parametrize("variables, named", [
    ({"ADMIN_PORT": "0"}, "ADMIN_API_KEYS"),
    ({"ADMIN_API_KEYS": "ops:" + "0" * 64}, "ADMIN_API_KEYS"),
    ({"ADMIN_PORT": "0", "ADMIN_API_KEYS": "ops:" + "0" * 63}, "ADMIN_API_KEYS"),
    ({"ADMIN_PORT": "0", "ADMIN_API_KEYS": "Ops:" + "0" * 64}, "ADMIN_API_KEYS"),
    ({"ADMIN_PORT": "0", "ADMIN_API_KEYS": "ops:" + "A" * 64}, "ADMIN_API_KEYS"),
    ({"ADMIN_PORT": "0", "ADMIN_API_KEYS": f"a:{'0' * 64},b:{'0' * 64}"}, "ADMIN_API_KEYS"),
    ({"ADMIN_PORT": "0", "ADMIN_HOST": "not a host", "ADMIN_API_KEYS": "ops:" + "0" * 64}, "ADMIN_HOST"),
])
def test_a_wrong_admin_configuration_stops_the_service_with_exit_78(tmp_path, variables, named):
    stack = Stack(tmp_path, **variables)
    result = subprocess.run([str(BINARY), "serve"], env=stack.env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 78 and f"configuration error: {named}" in result.stderr, result.stderr
    assert "0" * 63 not in result.stderr, "the entries are not echoed"
