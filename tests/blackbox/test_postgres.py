"""The release binary on PostgreSQL (`DATABASE_URL`): the API end to end, the commands, start-up errors that
never show the password, and losing the database mid-flight (503, then recovery without a restart).

Runs when KAKAO_AUTH_TEST_DATABASE_URL names a server where it may create databases (`.ci/run` starts one
with `.ci/postgres start`); skipped otherwise, and in the pass of the whole suite on PostgreSQL
(KAKAO_AUTH_TEST_STORE=postgres), which has run it already."""
import os
import subprocess
import time
import urllib.parse

import pytest
import requests

from blackbox_support import BINARY, ROOT, TEST_STORE, Service
from harness import create_postgres_database, drop_postgres_database

ADMIN_URL = os.environ.get("KAKAO_AUTH_TEST_DATABASE_URL")
# The CA that signed the test server's certificate (`.ci/postgres ca`).
TEST_CA = os.environ.get("KAKAO_AUTH_TEST_POSTGRES_CA")
pytestmark = [
    pytest.mark.skipif(not ADMIN_URL, reason="KAKAO_AUTH_TEST_DATABASE_URL is not set (.ci/postgres start)"),
    pytest.mark.skipif(TEST_STORE != "sqlite", reason="ran in the suite's first pass"),
]


@pytest.fixture
def postgres_url():
    """A new database on the test server, dropped afterwards."""
    url = create_postgres_database(ADMIN_URL, "kakao_auth_bb")
    yield url
    drop_postgres_database(ADMIN_URL, url)


def test_login_refresh_me_logout_and_the_commands_on_postgres(kakao, tmp_path, postgres_url):
    service = Service(kakao, tmp_path, DATABASE_URL=postgres_url).start()
    try:
        kakao.add_code("pg", 4242)
        body = service.login("pg").json()
        me = requests.get(service.url + "/users/me", headers={"Authorization": "Bearer " + body["access_token"]}, timeout=5)
        assert me.status_code == 200 and me.json()["kakao_id"] == "4242"
        rotated = requests.post(service.url + "/auth/refresh", json={"refresh_token": body["refresh_token"]}, timeout=5)
        assert rotated.status_code == 200
        again = requests.post(service.url + "/auth/refresh", json={"refresh_token": body["refresh_token"]}, timeout=5)
        assert again.status_code == 200 and again.json()["refresh_token"] == rotated.json()["refresh_token"], "within the reuse interval"
        logout = requests.post(service.url + "/auth/logout", json={"refresh_token": rotated.json()["refresh_token"]}, timeout=5)
        assert logout.status_code == 204
        gone = requests.get(service.url + "/users/me", headers={"Authorization": "Bearer " + body["access_token"]}, timeout=5)
        assert gone.status_code == 401
        assert requests.get(service.url + "/readyz", timeout=5).status_code == 200
    finally:
        service.kill()
    events = service.command("events", "--user", body["user"]["id"])
    assert events.returncode == 0, events.stderr
    assert [line.split()[1] for line in events.stdout.splitlines()] == ["logout", "refresh_within_reuse_interval", "refresh", "login", "registration"]
    purge = service.command("purge")
    assert purge.returncode == 0 and "purged 0 sessions" in purge.stdout, purge.stderr
    assert service.command("migrate").returncode == 0


@pytest.mark.skipif(not TEST_CA, reason="KAKAO_AUTH_TEST_POSTGRES_CA is not set (.ci/postgres ca)")
def test_sslmode_require_verifies_the_server_against_the_system_roots_or_sslrootcert(kakao, tmp_path, postgres_url):
    # The test server's certificate is signed by a CA of its own: unknown to the system's roots, so refused.
    untrusted = Service(kakao, tmp_path, DATABASE_URL=postgres_url.replace("sslmode=disable", "sslmode=require"))
    result = subprocess.run([str(BINARY), "serve"], env=untrusted.env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 78 and "cannot reach" in result.stderr, result.stderr

    service = Service(kakao, tmp_path, DATABASE_URL=postgres_url.replace("sslmode=disable", f"sslmode=require&sslrootcert={TEST_CA}")).start()
    try:
        kakao.add_code("tls", 4343)
        assert service.login("tls").status_code == 200
        database = urllib.parse.urlsplit(postgres_url).path.lstrip("/")
        encrypted = subprocess.run(["psql", "-Atq", ADMIN_URL, "-c", "SELECT bool_and(ssl), count(*) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) "
                                    f"WHERE datname = '{database}'"], capture_output=True, text=True, check=True, timeout=30).stdout.strip()
        assert encrypted.startswith("t|") and encrypted != "t|0", encrypted
    finally:
        service.kill()


@pytest.mark.parametrize("url, says", [
    ("postgres://kakao_auth:s3cret-pw@127.0.0.1:1/none?sslmode=disable", "cannot reach"),
    ("mysql://kakao_auth:s3cret-pw@127.0.0.1/db", "postgres://"),
    ("postgres://kakao_auth:s3cret-pw@127.0.0.1:5432/db?sslmode=maybe", "sslmode"),
    ("postgres://kakao_auth:s3cret-pw@127.0.0.1:5432/", "database"),
])
def test_a_bad_or_unreachable_database_stops_the_process_without_showing_the_password(kakao, tmp_path, url, says):
    service = Service(kakao, tmp_path, DATABASE_URL=url)
    started = time.monotonic()
    result = subprocess.run([str(BINARY), "serve"], env=service.env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 78, result.stderr
    assert time.monotonic() - started < 15
    assert "s3cret-pw" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "DATABASE_URL" in lines[0] and says in lines[0], lines


def test_losing_postgres_mid_flight_answers_503_then_recovers_without_a_restart(kakao, tmp_path, postgres_url):
    service = Service(kakao, tmp_path, DATABASE_URL=postgres_url).start()
    control = ROOT / ".ci" / "postgres"
    try:
        kakao.add_code("before", 7)
        kakao.add_code("during", 8)
        kakao.add_code("after", 9)
        body = service.login("before").json()
        subprocess.run([str(control), "stop"], check=True, timeout=60)
        try:
            started = time.monotonic()
            for answer in (
                requests.get(service.url + "/users/me", headers={"Authorization": "Bearer " + body["access_token"]}, timeout=15),
                requests.post(service.url + "/auth/refresh", json={"refresh_token": body["refresh_token"]}, timeout=15),
                service.login("during"),
                requests.get(service.url + "/readyz", timeout=15),
            ):
                assert answer.status_code == 503, answer.text
                assert answer.headers["Content-Type"].startswith("application/problem+json")
                assert answer.json()["code"] == "service_unavailable"
            assert time.monotonic() - started < 30, "each within the store's 5 s limit"
            assert requests.get(service.url + "/healthz", timeout=5).status_code == 200
        finally:
            subprocess.run([str(control), "start"], check=True, timeout=60, capture_output=True)
        deadline = time.monotonic() + 30
        while requests.get(service.url + "/readyz", timeout=10).status_code != 200:
            assert time.monotonic() < deadline, "the service did not come back by itself"
            time.sleep(0.2)
        assert service.login("after").status_code == 200
        me = requests.get(service.url + "/users/me", headers={"Authorization": "Bearer " + body["access_token"]}, timeout=5)
        assert me.status_code == 200, "the session from before the outage is still there"
    finally:
        service.kill()
    assert " 500 " not in service.log and "status=500" not in service.log
