"""What the outside review found, over raw HTTP against the binary: paths spelt differently still meet the
route's rate limit, a dual-stack socket's IPv4-mapped peers are IPv4 for trusted proxies and the audit log,
IPv6 clients share a /64's budget, and a replayed server-flow callback is refused even after a restart."""
import http.client
import sys
import urllib.parse
from pathlib import Path

import requests

from blackbox_support import Service

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from harness import Stack, start  # noqa: E402


def raw(port, method, path, headers=None, body=b"", host="127.0.0.1"):
    """One request with the path sent exactly as written (no client-side normalisation)."""
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in {"Content-Length": str(len(body)), **(headers or {})}.items():
            connection.putheader(name, value)
        connection.endheaders(body)
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def test_every_spelling_of_a_limited_path_meets_the_same_budget(kakao, tmp_path):
    callback = "http://localhost:9/auth/kakao/callback"
    service = Service(kakao, tmp_path, RATE_LIMIT_PER_MINUTE="2", PUBLIC_URL="http://localhost:9",
                      KAKAO_REDIRECT_URIS=f"https://app.example/callback,{callback}").start()
    try:
        login = b'{"code":"nope","token_delivery":"body"}'
        json_headers = {"Content-Type": "application/json"}
        for method, canonical, spellings, body in [
            ("POST", "/auth/kakao", ["/auth/kakao/", "//auth/kakao", "/auth//kakao", "/auth/kakao//"], login),
            ("POST", "/auth/refresh", ["/auth/refresh/", "//auth/refresh", "/auth//refresh"], b""),
            ("GET", "/auth/kakao/callback", ["/auth/kakao/callback/", "//auth/kakao//callback"], b""),
        ]:
            for _ in range(2):
                status, _ = raw(service.port, method, canonical, json_headers, body)
                assert status != 429, canonical
            for spelling in spellings:
                status, answer = raw(service.port, method, spelling, json_headers, body)
                assert status == 429, f"{method} {spelling}: {status} {answer[:200]}"
        # The two allowed logins reached Kakao; none of the spellings did.
        assert kakao.token_requests == 2
    finally:
        service.kill()


def test_ipv4_mapped_peers_of_a_dual_stack_socket_are_ipv4(kakao, tmp_path):
    service = Service(kakao, tmp_path, HOST="::", TRUSTED_PROXIES="127.0.0.1", RATE_LIMIT_PER_MINUTE="1").start()
    try:
        kakao.add_code("mapped", 4242)
        answer = requests.post(service.url + "/auth/kakao", json={"code": "mapped", "token_delivery": "body"},
                               headers={"X-Forwarded-For": "203.0.113.9"}, timeout=10)
        assert answer.status_code == 200, answer.text
        user_id = answer.json()["user"]["id"]
        events = service.command("events", "--user", user_id).stdout
        assert "ip=203.0.113.9" in events, events
        assert "ffff" not in events
        # The proxy is trusted, so clients behind it have budgets of their own, not the proxy's.
        for client in ["203.0.113.10", "203.0.113.11"]:
            refused = requests.post(service.url + "/auth/refresh", headers={"X-Forwarded-For": client}, timeout=5)
            assert refused.json()["code"] == "refresh_token_invalid", client
        assert requests.post(service.url + "/auth/refresh", headers={"X-Forwarded-For": "203.0.113.10"}, timeout=5).status_code == 429
    finally:
        service.kill()


def test_ipv6_clients_share_the_budget_of_their_64(kakao, tmp_path):
    service = Service(kakao, tmp_path, TRUSTED_PROXIES="127.0.0.1", RATE_LIMIT_PER_MINUTE="1").start()
    try:
        def refresh(client):
            return requests.post(service.url + "/auth/refresh", headers={"X-Forwarded-For": client}, timeout=5).status_code
        assert refresh("2001:db8:5:6::1") == 401
        assert refresh("2001:db8:5:6:ffff:1:2:3") == 429
        assert refresh("2001:db8:5:7::1") == 401
    finally:
        service.kill()


def test_a_callback_replayed_after_a_restart_is_refused_without_calling_kakao(tmp_path):
    with Stack(tmp_path) as stack:
        session = requests.Session()
        started = session.get(stack.url + "/auth/kakao/login?return_to=/done", allow_redirects=False, timeout=5)
        authorize = urllib.parse.parse_qs(urllib.parse.urlsplit(started.headers["Location"]).query)
        consent = requests.post(stack.emulator_url + "/oauth/authorize", data={
            **{name: values[0] for name, values in authorize.items()}, "decision": "approve", "kakao_id": "777",
        }, allow_redirects=False, timeout=5)
        callback = consent.headers["Location"].replace("http://localhost:", "http://127.0.0.1:")
        state_cookie = {"kakao_login_state": started.cookies["kakao_login_state"]}
        landed = requests.get(callback, cookies=state_cookie, allow_redirects=False, timeout=10)
        assert landed.status_code == 302 and landed.headers["Location"] == "/done"

        service = stack.processes.pop()
        service.terminate()
        service.wait(timeout=20)
        stack.processes.append(start(["serve"], tmp_path / "service.log", env=stack.env, health_url=stack.url + "/healthz"))

        replay = requests.get(callback, cookies=state_cookie, allow_redirects=False, timeout=10)
        assert replay.status_code == 400
        assert replay.json()["code"] == "invalid_state"
