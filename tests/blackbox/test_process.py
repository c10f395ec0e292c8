"""The binary as an operator runs it: configuration errors, migrate, durability across kill -9, logs."""
import signal
import sqlite3
import subprocess

import requests

import pytest

from blackbox_support import BINARY, CLIENT_SECRET, JWT_SECRET, TEST_STORE, Service


def test_bad_configuration_exits_non_zero_naming_the_variable(kakao, tmp_path):
    service = Service(kakao, tmp_path, JWT_SECRET="too-short-but-secret")
    result = subprocess.run([str(BINARY), "serve"], env=service.env, capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "JWT_SECRET" in output
    assert "too-short-but-secret" not in output
    assert len(output.strip().splitlines()) == 1


@pytest.mark.skipif(TEST_STORE != "sqlite", reason="a SQLite file; test_postgres.py runs migrate on PostgreSQL")
def test_migrate_creates_the_schema_and_exits(tmp_path):
    database = tmp_path / "migrated.sqlite"
    result = subprocess.run([str(BINARY), "migrate"], env={"DATABASE_PATH": str(database)}, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    tables = {row[0] for row in sqlite3.connect(database).execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"users", "sessions", "refresh_tokens"} <= tables


def test_acknowledged_logins_rotations_and_revocations_survive_kill_9(kakao, tmp_path):
    service = Service(kakao, tmp_path).start()
    for index in range(3):
        kakao.add_code(f"k{index}", 1000 + index)
    kept = service.login("k0").json()
    rotated = requests.post(service.url + "/auth/refresh", json={"refresh_token": kept["refresh_token"]}, timeout=5).json()
    revoked = service.login("k1").json()
    assert requests.post(service.url + "/auth/logout", json={"refresh_token": revoked["refresh_token"]}, timeout=5).status_code == 204
    fresh = service.login("k2").json()
    service.kill(signal.SIGKILL)

    service.start()
    me = requests.get(service.url + "/users/me", headers={"Authorization": "Bearer " + fresh["access_token"]}, timeout=5)
    assert me.status_code == 200 and me.json()["kakao_id"] == "1002"
    assert requests.post(service.url + "/auth/refresh", json={"refresh_token": rotated["refresh_token"]}, timeout=5).status_code == 200
    gone = requests.get(service.url + "/users/me", headers={"Authorization": "Bearer " + revoked["access_token"]}, timeout=5)
    assert gone.status_code == 401
    if TEST_STORE == "sqlite":
        assert sqlite3.connect(tmp_path / "kakao-auth.sqlite").execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    service.kill(signal.SIGTERM)


def test_debug_logs_and_error_bodies_never_contain_secrets_codes_tokens_or_cookies(kakao, tmp_path):
    admin_key = "blackbox-admin-key-never-logged-0123"
    service = Service(kakao, tmp_path, LOG_LEVEL="trace", KAKAO_ADMIN_KEY=admin_key).start()
    kakao.add_code("secret-code-abc123", 77)
    kakao.add_code("secret-code-def456", 78)
    answers = []

    def call(method, path, **options):
        answer = requests.request(method, service.url + path, timeout=5, **options)
        answers.append(answer)
        return answer

    login = call("POST", "/auth/kakao", json={"code": "secret-code-abc123"})
    cookies = [header.split(";")[0].split("=", 1)[1] for header in login.raw.headers.getlist("Set-Cookie")]
    assert len(cookies) == 2 and all(cookies)
    body = call("POST", "/auth/kakao", json={"code": "secret-code-def456", "token_delivery": "body"}).json()
    call("GET", "/users/me", headers={"Authorization": "Bearer " + body["access_token"]})
    call("GET", "/users/me", headers={"Authorization": "Bearer " + body["access_token"] + "x"})
    call("POST", "/auth/introspect", data={"token": body["access_token"]})
    call("POST", "/auth/refresh", json={"refresh_token": body["refresh_token"]})
    call("POST", "/auth/refresh", json={"refresh_token": body["refresh_token"] + "x"})
    call("POST", "/auth/refresh", headers={"Cookie": "__Secure-refresh_token=" + cookies[1]})
    call("POST", "/auth/kakao", json={"code": "secret-code-abc123"})  # reused code: an error path
    call("GET", "/webhooks/kakao/unlink?user_id=77", headers={"Authorization": "KakaoAK " + admin_key})
    call("GET", "/webhooks/kakao/unlink?user_id=77", headers={"Authorization": "KakaoAK " + admin_key + "-wrong"})
    call("POST", "/auth/logout", json={"refresh_token": body["refresh_token"]})
    service.kill(signal.SIGTERM)
    log = service.log
    assert "listening" in log.lower() and "/auth/refresh" in log, "the requests were logged"
    secrets = [JWT_SECRET, CLIENT_SECRET, admin_key, "secret-code-abc123", "secret-code-def456", "kakao-at-",
               body["access_token"], body["refresh_token"], *cookies]
    for needle in secrets:
        assert needle not in log, needle
    for answer in answers:
        if answer.status_code >= 400:
            for needle in secrets:
                assert needle not in answer.text, (answer.request.url, needle)
