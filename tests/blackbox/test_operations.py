"""Operating the binary: JSON logs with request ids, graceful shutdown, the audit log and purge commands."""
import json
import re
import signal
import threading
import time

import requests

from blackbox_support import Service


def test_json_logs_are_one_object_per_line_with_the_request_id(kakao, tmp_path):
    service = Service(kakao, tmp_path, LOG_FORMAT="json").start()
    response = requests.get(service.url + "/healthz", headers={"X-Request-Id": "trace-42"}, timeout=5)
    assert response.headers["X-Request-Id"] == "trace-42"
    service.kill(signal.SIGTERM)
    lines = [json.loads(line) for line in service.log.splitlines() if line.strip()]
    assert lines and all({"ts", "level", "label", "message"} <= line.keys() for line in lines)
    request = next(line for line in lines if line.get("request_id") == "trace-42")
    assert request["message"] == "request" and request["path"] == "/healthz" and request["status"] == "200"
    assert request["ts"].endswith("Z")
    assert all("hb.request.id" not in line for line in lines)


def test_sigterm_finishes_in_flight_requests_then_exits_cleanly(kakao, tmp_path):
    service = Service(kakao, tmp_path).start()
    kakao.add_code("slow", 4242, delay=1.5)
    answers = []
    request = threading.Thread(target=lambda: answers.append(service.login("slow")))
    request.start()
    time.sleep(0.5)
    service.process.send_signal(signal.SIGTERM)
    request.join(timeout=10)
    assert answers and answers[0].status_code == 200, "the in-flight login completed"
    assert service.process.wait(timeout=15) == 0
    # The login's session is on disk, and the service no longer accepts connections.
    service.start()
    me = requests.get(service.url + "/users/me", headers={"Authorization": "Bearer " + answers[0].json()["access_token"]}, timeout=5)
    assert me.status_code == 200
    service.kill(signal.SIGTERM)


def test_events_command_prints_the_audit_log(kakao, tmp_path):
    service = Service(kakao, tmp_path).start()
    kakao.add_code("e1", 5151)
    body = requests.post(service.url + "/auth/kakao", json={"code": "e1", "token_delivery": "body"},
                         headers={"User-Agent": "audit-test/1"}, timeout=5).json()
    requests.post(service.url + "/auth/logout", json={"refresh_token": body["refresh_token"]}, timeout=5)
    service.kill(signal.SIGTERM)
    result = service.command("events", "--user", body["user"]["id"], "--json")
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [event["kind"] for event in events] == ["logout", "login", "registration"]
    assert events[1]["user_agent"] == "audit-test/1" and events[1]["client_ip"] == "127.0.0.1"
    assert body["refresh_token"] not in result.stdout and body["access_token"] not in result.stdout
    text = service.command("events", "--user", body["user"]["id"])
    assert "registration" in text.stdout and "ip=127.0.0.1" in text.stdout
    # One user id in 64 begins with "-" (ids are base64url): it must still read as the value of --user.
    # (Prefixed, not substituted: a substituted first character would be the user's own id one time in 64.)
    dashed = service.command("events", "--user", "-" + body["user"]["id"])
    assert dashed.returncode == 0 and dashed.stdout == "", dashed.stderr


def test_purge_command_runs_against_the_database(kakao, tmp_path):
    service = Service(kakao, tmp_path)
    assert service.command("migrate").returncode == 0
    result = service.command("purge")
    assert result.returncode == 0, result.stderr
    assert re.search(r"^kakao-auth: purged 0 sessions, 0 refresh tokens, 0 used states and id_tokens, 0 audit events, 0 interrupted erasures finished; \d+ bytes returned$", result.stdout, re.M), result.stdout
