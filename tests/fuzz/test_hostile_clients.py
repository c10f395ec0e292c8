"""Hostile clients: forged and malformed tokens, oversized and slow requests, idle connection floods.
Every answer is a 4xx (or a closed connection where HTTP itself is broken), quickly, never a 5xx."""
import base64
import hashlib
import hmac
import json
import re
import resource
import socket
import sqlite3
import threading
import time

import pytest
import requests

from fuzz_support import JWT_SECRET
from harness import TEST_STORE, Stack  # fuzz_support puts tests/ on the path


def b64(data):
    return base64.urlsafe_b64encode(data if isinstance(data, bytes) else data.encode()).rstrip(b"=").decode()


def forge(header, claims, secret=JWT_SECRET, signature=None):
    header_text = header if isinstance(header, str) else json.dumps(header, separators=(",", ":"))
    claims_text = claims if isinstance(claims, str) else json.dumps(claims, separators=(",", ":"))
    signing_input = b64(header_text) + "." + b64(claims_text)
    if signature is None:
        signature = b64(hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest())
    return signing_input + "." + signature


@pytest.fixture(scope="module")
def session(drill_service):
    body = requests.post(drill_service.url + "/auth/kakao", json={"code": "ok-hostile", "token_delivery": "body"}, timeout=10).json()
    header = json.loads(base64.urlsafe_b64decode(body["access_token"].split(".")[0] + "=="))
    claims = json.loads(base64.urlsafe_b64decode(body["access_token"].split(".")[1] + "==="))
    return {"body": body, "header": header, "claims": claims}


class Listener:
    """Counts connections, to prove that no header URL (jku, x5u) is ever fetched."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}/keys"
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()


def token_matrix(session, listener):
    header, claims = session["header"], session["claims"]
    kid = header["kid"]
    now = int(time.time())
    good = dict(claims)
    tokens = {}
    for alg in ["none", "None", "NONE", "HS384", "HS512", "RS256", "ES256", "PS256", "EdDSA"]:
        tokens[f"alg {alg}"] = forge({"alg": alg, "typ": "at+jwt", "kid": kid}, good)
    tokens["alg none unsigned"] = forge({"alg": "none", "typ": "at+jwt"}, good, signature="")
    tokens["empty signature"] = forge(header, good, signature="")
    tokens["truncated signature"] = session["body"]["access_token"][:-10]
    tokens["foreign signature"] = forge(header, good, secret="a-completely-different-secret-0123456789")
    tokens["ES256 zero signature"] = forge({"alg": "ES256", "typ": "at+jwt", "kid": kid}, good, signature=b64(bytes(64)))
    parts = session["body"]["access_token"].split(".")
    tokens["tampered payload"] = parts[0] + "." + b64(json.dumps({**good, "sub": "admin"}, separators=(",", ":"))) + "." + parts[2]
    for name, value in [("exp missing", None), ("exp string", str(now + 600)), ("exp huge", 10**30), ("exp array", [now + 600]),
                        ("exp bool", True), ("exp null", "null"), ("exp past", now - 3600)]:
        changed = {key: item for key, item in good.items() if key != "exp"}
        if value is not None:
            changed["exp"] = None if value == "null" else value
        tokens[name] = forge(header, changed)
    tokens["nbf future"] = forge(header, {**good, "nbf": now + 3600})
    for name, value in [("iss wrong", "evil"), ("iss prefix", "kakao-auth-evil"), ("iss prefix 2", "kakao")]:
        tokens[name] = forge(header, {**good, "iss": value})
    tokens["aud missing"] = forge(header, {key: item for key, item in good.items() if key != "aud"})
    tokens["aud empty"] = forge(header, {**good, "aud": ""})
    tokens["aud wrong"] = forge(header, {**good, "aud": "another-service"})
    tokens["refresh as access"] = session["body"]["refresh_token"]
    tokens["access as refresh"] = session["body"]["access_token"]
    for name, value in [("kid unknown", "nope"), ("kid traversal", "../../../../etc/passwd"), ("kid sql", "' OR 1=1 --"), ("kid number", 7)]:
        tokens[name] = forge({**header, "kid": value}, good)
    for field in ["jku", "x5u"]:
        tokens[f"{field} header"] = forge({**header, field: listener.url}, good)
    tokens["jwk header"] = forge({**header, "jwk": {"kty": "oct", "k": b64("attacker-key")}}, good, secret="attacker-key")
    tokens["crit header"] = forge({**header, "crit": ["exp"]}, good)
    tokens["padding"] = session["body"]["access_token"] + "=="
    tokens["standard alphabet"] = session["body"]["access_token"].replace("-", "+").replace("_", "/") + "+/"
    tokens["8 KB"] = forge(header, {**good, "pad": "x" * 8192})
    tokens["deep header"] = forge("[" * 1000 + "]" * 1000, good)
    tokens["duplicate exp"] = forge(header, json.dumps(good, separators=(",", ":"))[:-1] + f',"exp":{now + 10**6}}}')
    tokens["duplicate alg"] = forge('{"alg":"none","alg":"HS256","typ":"at+jwt","kid":"' + kid + '"}', good)
    return tokens


def healthz_seconds(url, times):
    """How long `times` health checks take one after another: the baseline a test compares with."""
    started = time.monotonic()
    for _ in range(times):
        assert requests.get(url + "/healthz", timeout=5).status_code == 200
    return time.monotonic() - started


def test_the_jwt_matrix_is_refused_quickly_everywhere(drill_service, session):
    listener = Listener()
    access = session["body"]["access_token"]
    matrix = token_matrix(session, listener)
    # The baseline: the same three calls with the good access token, as many times as there are tokens.
    started = time.monotonic()
    for _ in matrix:
        assert requests.get(drill_service.url + "/users/me", headers={"Authorization": "Bearer " + access}, timeout=5).status_code == 200
        requests.post(drill_service.url + "/auth/refresh", json={"refresh_token": access}, timeout=5)
        requests.post(drill_service.url + "/auth/introspect", data={"token": access}, timeout=5)
    baseline = time.monotonic() - started
    started = time.monotonic()
    for name, token in matrix.items():
        me = requests.get(drill_service.url + "/users/me", headers={"Authorization": "Bearer " + token}, timeout=5)
        assert (me.status_code == 200) == (name == "access as refresh"), name
        if name != "access as refresh":
            assert me.status_code == 401 and me.json()["code"] == "invalid_token", name
        if name != "refresh as access":
            refresh = requests.post(drill_service.url + "/auth/refresh", json={"refresh_token": token}, timeout=5)
            assert refresh.status_code == 401 and refresh.json()["code"] == "refresh_token_invalid", name
        introspection = requests.post(drill_service.url + "/auth/introspect", data={"token": token}, timeout=5)
        assert (introspection.json() == {"active": False}) == (name != "access as refresh"), name
    # No token is slow to refuse (a fetched `jku` would be): all of them together within three times the
    # good token's time, with a timeout of 5 s on each call as the limit.
    assert time.monotonic() - started < 3 * baseline, (time.monotonic() - started, baseline)
    assert listener.connections == 0, "a header URL was fetched"


@pytest.mark.parametrize("size", [64 * 1024, 1024 * 1024])
def test_huge_tokens_are_refused_without_a_server_error(drill_service, session, size):
    token = forge(session["header"], {**session["claims"], "pad": "x" * size})
    try:
        answer = requests.get(drill_service.url + "/users/me", headers={"Authorization": "Bearer " + token}, timeout=10)
        assert answer.status_code in (400, 401, 431), answer.status_code
    except requests.ConnectionError:
        pass  # the server closed a connection whose headers exceeded its limit
    body = requests.post(drill_service.url + "/auth/refresh", json={"refresh_token": token}, timeout=10)
    assert body.status_code in (401, 413)
    assert requests.get(drill_service.url + "/healthz", timeout=5).status_code == 200


def test_http_limits(drill_service):
    big = requests.post(drill_service.url + "/auth/kakao", data=b"{" + b" " * (128 * 1024) + b"}",
                        headers={"Content-Type": "application/json"}, timeout=10)
    assert big.status_code == 413 and big.json()["code"] == "payload_too_large"
    try:
        # Beyond 256 KiB nothing is read: the 413, or the connection closed under the client's feet.
        huge = requests.post(drill_service.url + "/auth/kakao", data=b"{" + b" " * (2 * 1024 * 1024) + b"}",
                             headers={"Content-Type": "application/json"}, timeout=10)
        assert huge.status_code == 413
    except requests.ConnectionError:
        pass
    nested = requests.post(drill_service.url + "/auth/kakao", data="[" * 10000 + "]" * 10000, headers={"Content-Type": "application/json"}, timeout=10)
    assert nested.status_code == 400 and nested.json()["code"] == "invalid_request"
    try:
        header = requests.get(drill_service.url + "/healthz", headers={"X-Big": "x" * 65536}, timeout=10)
        # The HTTP parser refuses headers over 32 KiB before any handler runs: a bare 400 from SwiftNIO.
        assert header.status_code in (400, 431)
    except requests.ConnectionError:
        pass
    assert requests.get(drill_service.url + "/healthz", timeout=5).status_code == 200


def raw_exchange(port, request, close_after=None):
    """Sends `request` as bytes; the answer's status line, or b"" when the server closed the connection."""
    connection = socket.create_connection(("127.0.0.1", port))
    connection.settimeout(5)
    try:
        connection.sendall(request)
        if close_after is not None:
            time.sleep(close_after)
            return None
        answer = connection.recv(65536)
        return answer.split(b"\r\n")[0]
    except (ConnectionResetError, BrokenPipeError):
        return b""
    finally:
        connection.close()


FRAMING = {
    "transfer-encoding gzip": b"Transfer-Encoding: gzip\r\n\r\nabc",
    "transfer-encoding xchunked": b"Transfer-Encoding: xchunked\r\n\r\nabc",
    "a chunk size past 64 bits": b"Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\nabc\r\n",
    "a chunk size that is not hex": b"Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n",
}


@pytest.mark.parametrize("path", ["/auth/introspect", "/auth/refresh", "/healthz", "/nowhere"])
def test_malformed_framing_is_the_clients_fault(faulty_kakao, tmp_path, path):
    """Never a 500 or an error-level log line: anyone could flood the 5xx metrics and alerting with these."""
    from fuzz_support import DrillService
    service = DrillService(tmp_path, faulty_kakao.url)
    try:
        for name, framing in FRAMING.items():
            head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n".encode()
            status = raw_exchange(service.port, head + framing)
            assert status == b"" or status.split(b" ")[1][:1] == b"4", (name, status)
        # A client that goes away mid-body.
        raw_exchange(service.port, f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     "Content-Length: 100\r\n\r\n{".encode(), close_after=0.3)
        time.sleep(0.5)
        assert requests.get(service.url + "/healthz", timeout=5).status_code == 200
        assert requests.get(service.url + "/metrics", timeout=5).status_code == 404, "metrics have a listener of their own"
        metrics = requests.get(service.metrics_url, timeout=5).text
        assert 'status="500"' not in metrics, [line for line in metrics.splitlines() if "500" in line]
    finally:
        service.stop()
    log = service.log_path.read_text()
    assert " error " not in log and "internal_error" not in log, log[-2000:]


def test_slow_clients_time_out_without_starving_others(faulty_kakao, tmp_path):
    from fuzz_support import DrillService
    service = DrillService(tmp_path, faulty_kakao.url, HTTP_READ_TIMEOUT_SECONDS="2")
    try:
        baseline = healthz_seconds(service.url, 20)
        slow_headers = socket.create_connection(("127.0.0.1", service.port))
        slow_headers.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        slow_body = socket.create_connection(("127.0.0.1", service.port))
        slow_body.sendall(b"POST /auth/kakao HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
        started = time.monotonic()
        assert healthz_seconds(service.url, 20) < 5 * baseline, "the slow clients held the others up"
        slow_body.settimeout(10)
        answer = slow_body.recv(65536)
        assert b" 408 " in answer.split(b"\r\n")[0] or answer == b"", answer[:100]
        slow_headers.settimeout(10)
        answer = slow_headers.recv(65536)
        assert answer == b"" or answer.startswith(b"HTTP/1.1 4"), answer[:100]
        assert time.monotonic() - started < 8, "the idle timeout closed the slow connections"
    finally:
        service.stop()


@pytest.mark.parametrize("path", ["/healthz", "/nowhere", "/auth/kakao"])
def test_trickling_requests_are_cut_off_whatever_their_route(faulty_kakao, tmp_path, path):
    """The review's reproducer: 400 connections each sending a body one byte at a time, faster than the
    idle timeout, to a route that reads no body (the server drains it), to no route, and to one that reads
    it. Every connection is closed within the read timeout (plus a second) of its head, and the service
    answers others meanwhile."""
    from fuzz_support import DrillService
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    service = DrillService(tmp_path, faulty_kakao.url, HTTP_READ_TIMEOUT_SECONDS="2")
    connections = []
    try:
        for _ in range(400):
            connection = socket.create_connection(("127.0.0.1", service.port))
            connection.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{".encode())
            connections.append(connection)
        started = time.monotonic()
        open_ones = list(connections)
        while open_ones and time.monotonic() - started < 8:
            time.sleep(0.5)
            still = []
            for connection in open_ones:
                try:
                    connection.sendall(b" ")
                    still.append(connection)
                except OSError:
                    pass
            open_ones = still
            assert requests.get(service.url + "/healthz", timeout=2).status_code == 200
        # A closed peer shows on the second send after its close, so allow for one round of the loop.
        assert not open_ones, f"{len(open_ones)} of 400 trickling connections still open after {time.monotonic() - started:.1f} s"
        assert time.monotonic() - started < 5
    finally:
        for connection in connections:
            connection.close()
        service.stop()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_an_unread_body_is_not_drained(drill_service):
    """A body sent to a route that reads none is not read beyond a small cap: the connection is closed long
    before 64 MiB have gone in, instead of the server reading and discarding all of it."""
    connection = socket.create_connection(("127.0.0.1", drill_service.port))
    connection.settimeout(5)
    sent = 0
    try:
        connection.sendall(b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 67108864\r\n\r\n")
        chunk = b"x" * 65536
        while sent < 64 * 1024 * 1024:
            connection.sendall(chunk)
            sent += len(chunk)
    except OSError:
        pass
    finally:
        connection.close()
    assert sent < 8 * 1024 * 1024, f"{sent} bytes of an unread body went in"
    assert requests.get(drill_service.url + "/healthz", timeout=5).status_code == 200


def test_a_thousand_idle_connections_do_not_stop_the_service(drill_service):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    idle = []
    try:
        baseline = healthz_seconds(drill_service.url, 10)
        for _ in range(1000):
            idle.append(socket.create_connection(("127.0.0.1", drill_service.port)))
        time.sleep(0.5)
        assert healthz_seconds(drill_service.url, 10) < 5 * baseline, "the idle connections held the others up"
    finally:
        for connection in idle:
            connection.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_an_id_token_found_in_a_log_logs_no_one_in(tmp_path):
    """Each id_token logs in once: the same token again, as someone who found it in a proxy log or a crash
    report would send it, is refused with its own code, and opens no session."""
    with Stack(tmp_path, KAKAO_ID_TOKEN_AUDIENCES=f"{Stack.CLIENT_ID},{Stack.NATIVE_APP_KEY}") as stack:
        sdk = requests.post(stack.emulator_url + "/emulator/sdk-login", data={"kakao_id": "5150", "nonce": "found-in-a-log"}, timeout=5).json()
        body = {"id_token": sdk["id_token"], "nonce": "found-in-a-log", "token_delivery": "body"}
        first = requests.post(stack.url + "/auth/kakao", json=body, timeout=5)
        assert first.status_code == 200, first.text
        replayed = requests.post(stack.url + "/auth/kakao", json=body, timeout=5)
        assert replayed.status_code == 400 and replayed.json()["code"] == "id_token_reused", replayed.text
        assert "refresh_token" not in replayed.json()


def raw_answer(port, request):
    """Sends `request` as bytes and reads the whole answer (the service closes nothing here: one request)."""
    connection = socket.create_connection(("127.0.0.1", port))
    connection.settimeout(5)
    try:
        connection.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer) < answer.index(b"\r\n\r\n") + 4 + int(
                (re.search(rb"(?i)content-length: *(\d+)", answer) or [0, b"0"])[1]):
            part = connection.recv(65536)
            if not part:
                break
            answer += part
        return answer
    finally:
        connection.close()


def test_security_decisions_read_client_text_as_bytes(tmp_path):
    """The review's text findings, against the release binary: a cookie value ending in U+0600 (which joins
    the next `;` into one Character) must not hide the victim's cookie; a prefix imitation in another case
    is a duplicate too; a KELVIN SIGN in a redirect URI is not the letter K; an Origin that differs in its
    port is another origin; a user agent of combining marks is stored in at most 512 bytes; NUL is refused."""
    with Stack(tmp_path, COOKIE_SECURE="true") as stack:
        victim, attacker = stack.login(kakao_id="1001"), stack.login(kakao_id="1002")

        def refresh_with(cookie_header):
            return raw_answer(stack.port, b"POST /auth/refresh HTTP/1.1\r\nHost: x\r\nSec-Fetch-Site: same-origin\r\nContent-Length: 0\r\n"
                              b"Cookie: " + cookie_header + b"\r\n\r\n")
        tossed = refresh_with(b"__Secure-refresh_token=" + attacker["refresh_token"].encode() + "\u0600".encode()
                              + b"; __Secure-refresh_token=" + victim["refresh_token"].encode())
        assert tossed.startswith(b"HTTP/1.1 400") and b"duplicate_cookie" in tossed, tossed[:300]
        imitation = refresh_with(b"__secure-refresh_token=" + attacker["refresh_token"].encode()
                                 + b"; __Secure-refresh_token=" + victim["refresh_token"].encode())
        assert imitation.startswith(b"HTTP/1.1 400") and b"duplicate_cookie" in imitation, imitation[:300]

        kelvin = requests.post(stack.url + "/auth/kakao", json={"code": stack.code(), "redirect_uri": stack.redirect_uri + "auth/\u212Aakao/callback"}, timeout=5)
        assert kelvin.status_code == 400 and kelvin.json()["code"] == "redirect_uri_not_allowed", kelvin.text

        other_port = requests.post(stack.url + "/auth/logout", headers={"Origin": f"http://localhost:{stack.port}0"},
                                   cookies={"__Secure-refresh_token": victim["refresh_token"]}, timeout=5)
        assert other_port.status_code == 403 and other_port.json()["code"] == "csrf_rejected", other_port.text

        marks = "a" + "\u0301" * 15000
        login = json.dumps({"code": stack.code(kakao_id="1003"), "token_delivery": "body"}).encode()
        answer = raw_answer(stack.port, b"POST /auth/kakao HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nUser-Agent: "
                            + marks.encode() + b"\r\nContent-Length: %d\r\n\r\n" % len(login) + login)
        assert answer.startswith(b"HTTP/1.1 200"), answer[:300]

        nul = requests.post(stack.url + "/auth/kakao", json={"code": "a\u0000b"}, timeout=5)
        assert nul.status_code == 400 and nul.json()["code"] == "invalid_request", nul.text
    if TEST_STORE == "sqlite":
        database = sqlite3.connect(tmp_path / "kakao-auth.sqlite")
        longest = database.execute("SELECT MAX(LENGTH(CAST(user_agent AS BLOB))) FROM auth_events").fetchone()[0]
        assert longest is not None and longest <= 512, longest


def test_a_client_that_reads_no_answer_neither_holds_its_connection_nor_the_shutdown(faulty_kakao, tmp_path):
    """The attacker review's reproducer: 30,000 pipelined requests in one write and not a byte read. The
    answers back up, the socket stops taking them, and the connection must still be closed within the read
    timeout (it once stayed open, and held a graceful shutdown, for as long as the client wished)."""
    from fuzz_support import DrillService
    service = DrillService(tmp_path, faulty_kakao.url, HTTP_READ_TIMEOUT_SECONDS="2")
    connection = socket.socket()
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    try:
        connection.connect(("127.0.0.1", service.port))
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" * 30000)
        time.sleep(5)
        started = time.monotonic()
        service.process.terminate()
        service.process.wait(timeout=15)
        assert time.monotonic() - started < 10, "the shutdown waited for the client"
    finally:
        connection.close()
        if service.process.poll() is None:
            service.process.kill()


def test_a_pipelined_request_does_not_cut_off_the_one_before_it(tmp_path):
    """A login waiting on a slow Kakao, with a second request pipelined behind it: the second's body is not
    read while the first is answered (backpressure, the server's turn), and must not count against the
    client. The first login is answered."""
    with Stack(tmp_path, emulator_options=["--accept-any-code", "--token-delay", "3.5"], HTTP_READ_TIMEOUT_SECONDS="2") as stack:
        login = json.dumps({"code": "user-1", "token_delivery": "body"}).encode()
        big = b"{" + b" " * (200 * 1024) + b"}"
        head = b"POST /auth/kakao HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
        connection = socket.create_connection(("127.0.0.1", stack.port))
        connection.settimeout(10)
        try:
            connection.sendall(head % len(login) + login + head % len(big))
            try:
                connection.sendall(big)
            except OSError:
                pass
            first = connection.recv(65536)
        finally:
            connection.close()
        assert first.startswith(b"HTTP/1.1 200"), first[:200]
