"""The replica drill: three `kakao-auth serve` processes on one PostgreSQL behind nginx (round robin, on
loopback), a bounded load of logins, refreshes and `/users/me`, one replica killed with SIGKILL mid-load and
PostgreSQL restarted mid-load. Then: every session the load saw acknowledged still works, no refresh token
has two successors, a token rotated on one replica and replayed on another is reuse, and nothing ever
answered 500.

Needs KAKAO_AUTH_TEST_DATABASE_URL (`.ci/postgres start`) and Debian's nginx; skipped without them."""
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from harness import NGINX, ROOT, create_postgres_database, drop_postgres_database, free_port, start, start_round_robin_proxy, wait_until_listening  # noqa: E402

ADMIN_URL = os.environ.get("KAKAO_AUTH_TEST_DATABASE_URL")
pytestmark = pytest.mark.skipif(not ADMIN_URL or not os.path.exists(NGINX), reason="needs KAKAO_AUTH_TEST_DATABASE_URL and nginx")

CLIENT_ID, CLIENT_SECRET = "drill-client", "drill-secret"
REDIRECT_URI = "https://app.example/callback"
POSTGRES = ROOT / ".ci" / "postgres"


def query(url, statement):
    return subprocess.run(["psql", "-q", "-At", "-v", "ON_ERROR_STOP=1", url, "-c", statement],
                          check=True, capture_output=True, text=True, timeout=30).stdout.split()


class Load:
    """Clients that log in, refresh and read /users/me through the proxy, keeping, per session, the last
    refresh token the service acknowledged. A refresh whose answer was lost is presented again (as an app
    retries): within the reuse interval that yields the session's current token."""

    def __init__(self, url):
        self.url = url
        self.sessions = {}  # session number -> latest acknowledged {"refresh_token", "access_token"}
        self.statuses = {}
        self.refused = []  # acknowledged refresh tokens that were refused: must stay empty
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def count(self, status):
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def call(self, method, path, **options):
        try:
            answer = requests.request(method, self.url + path, timeout=10, **options)
        except requests.RequestException:
            self.count("connection error")
            return None
        self.count(answer.status_code)
        return answer

    def client(self, number):
        rng = random.Random(number)
        session = None
        while not self.stop.is_set():
            if session is None or rng.random() < 0.1:
                answer = self.call("POST", "/auth/kakao", json={"code": f"user-{number}-{rng.randrange(5)}", "redirect_uri": REDIRECT_URI, "token_delivery": "body"})
                if answer is not None and answer.status_code == 200:
                    session = f"{number}-{len(self.sessions)}-{rng.random()}"
                    with self.lock:
                        self.sessions[session] = answer.json()
                continue
            tokens = self.sessions[session]
            if rng.random() < 0.5:
                answer = self.call("POST", "/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
                if answer is not None and answer.status_code == 200:
                    with self.lock:
                        self.sessions[session] = answer.json()
                elif answer is not None and answer.status_code == 401:
                    with self.lock:
                        self.refused.append(answer.text)
                    session = None
            else:
                self.call("GET", "/users/me", headers={"Authorization": "Bearer " + tokens["access_token"]})


def test_three_replicas_survive_a_killed_replica_and_a_postgres_restart(tmp_path):
    database_url = create_postgres_database(ADMIN_URL, "kakao_auth_drill")
    processes = []
    try:
        emulator_port = free_port()
        processes.append(start(["emulator", "--port", str(emulator_port), "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET,
                                "--accept-any-code"], tmp_path / "emulator.log", env={"PATH": os.environ["PATH"]}, port=emulator_port))
        kakao = f"http://127.0.0.1:{emulator_port}"
        ports = [free_port() for _ in range(3)]
        replicas = []
        # All three at once: they meet at the migration lock, and all start.
        for number, port in enumerate(ports):
            env = {
                "PATH": os.environ["PATH"], "KAKAO_CLIENT_ID": CLIENT_ID, "KAKAO_CLIENT_SECRET": CLIENT_SECRET,
                "KAKAO_REDIRECT_URIS": REDIRECT_URI, "KAKAO_AUTH_BASE_URL": kakao, "KAKAO_API_BASE_URL": kakao,
                "JWT_SECRET": "drill-secret-drill-secret-0123456789abcdef", "DATABASE_URL": database_url, "DATABASE_POOL_SIZE": "4",
                "PORT": str(port), "RATE_LIMIT_PER_MINUTE": "0", "REFRESH_REUSE_INTERVAL": "60", "LOG_LEVEL": "warning",
            }
            with open(tmp_path / f"replica-{number}.log", "ab") as log:
                replicas.append(subprocess.Popen([os.environ.get("KAKAO_AUTH_BINARY", str(ROOT / ".build/debug/kakao-auth")), "serve"],
                                                 env=env, stdout=log, stderr=subprocess.STDOUT))
        processes.extend(replicas)
        for number, port in enumerate(ports):
            wait_until_listening(port, replicas[number], tmp_path / f"replica-{number}.log")
        assert query(database_url, "SELECT COUNT(*) FROM schema_migrations") == [str(len(list((ROOT / "migrations" / "postgres").glob("*.sql"))))], "migrated once, all of it"

        proxy, proxy_port = start_round_robin_proxy(tmp_path, ports)
        processes.append(proxy)

        load = Load(f"http://127.0.0.1:{proxy_port}")
        clients = [threading.Thread(target=load.client, args=(number,)) for number in range(8)]
        for client in clients:
            client.start()
        time.sleep(3)
        replicas[1].send_signal(signal.SIGKILL)  # mid-load, without warning
        time.sleep(3)
        subprocess.run([str(POSTGRES), "restart"], check=True, timeout=60, capture_output=True)
        time.sleep(5)
        load.stop.set()
        for client in clients:
            client.join(timeout=30)
        assert not any(client.is_alive() for client in clients)

        statuses = load.statuses
        print(f"replica drill: {len(load.sessions)} sessions, answers {statuses}")
        assert load.refused == [], "an acknowledged refresh token was refused mid-load"
        assert 500 not in statuses, statuses
        assert statuses.get(200, 0) > 200, statuses
        assert set(statuses) <= {200, 502, 503, "connection error"}, statuses

        # Every session the load saw acknowledged still works, on whichever replica answers.
        survivors = [f"http://127.0.0.1:{port}" for port in (ports[0], ports[2])]
        for number, (session, tokens) in enumerate(sorted(load.sessions.items())):
            answer = requests.post(survivors[number % 2] + "/auth/refresh", json={"refresh_token": tokens["refresh_token"]}, timeout=10)
            assert answer.status_code == 200, (session, answer.text)

        # No refresh token has two successors.
        assert query(database_url, "SELECT COUNT(*) FROM (SELECT parent_jti FROM refresh_tokens WHERE parent_jti IS NOT NULL "
                                   "GROUP BY parent_jti HAVING COUNT(*) > 1) AS twins") == ["0"]

        # Rotated twice on one replica, the first token replayed on another: reuse, and the session is over everywhere.
        first = requests.post(survivors[0] + "/auth/kakao", json={"code": "user-replay", "redirect_uri": REDIRECT_URI, "token_delivery": "body"}, timeout=10).json()
        second = requests.post(survivors[0] + "/auth/refresh", json={"refresh_token": first["refresh_token"]}, timeout=10).json()
        third = requests.post(survivors[0] + "/auth/refresh", json={"refresh_token": second["refresh_token"]}, timeout=10).json()
        replay = requests.post(survivors[1] + "/auth/refresh", json={"refresh_token": first["refresh_token"]}, timeout=10)
        assert replay.status_code == 401 and replay.json()["code"] == "refresh_token_reused"
        after = requests.post(survivors[0] + "/auth/refresh", json={"refresh_token": third["refresh_token"]}, timeout=10)
        assert after.status_code == 401 and after.json()["code"] == "refresh_token_invalid"
        me = requests.get(survivors[0] + "/users/me", headers={"Authorization": "Bearer " + third["access_token"]}, timeout=10)
        assert me.status_code == 401, "the revocation is seen by the other replica's next request"
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        subprocess.run([str(POSTGRES), "start"], timeout=60, capture_output=True)
        drop_postgres_database(ADMIN_URL, database_url)
