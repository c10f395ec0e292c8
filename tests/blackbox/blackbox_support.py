"""Black-box tests of the kakao-auth binary: real process, a real SQLite file (or PostgreSQL database, with
KAKAO_AUTH_TEST_STORE=postgres), a fake Kakao on loopback."""
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from harness import BINARY, ROOT, TEST_STORE, free_port, start, store_environment  # noqa: E402, F401 (BINARY, ROOT, TEST_STORE are for the tests)

JWT_SECRET = "blackbox-secret-blackbox-secret-0123456789"
CLIENT_ID = "blackbox-client"
CLIENT_SECRET = "blackbox-client-secret"
REDIRECT_URI = "https://app.example/callback"


class FakeKakao:
    """kauth + kapi on 127.0.0.1: codes map to user JSON; every code works once."""

    def __init__(self):
        self.profiles = {}
        self.used = set()
        self.delays = {}
        self.token_requests = 0
        # Kakao's OIDC key set, when a test publishes one (`{"keys": [...]}`), and how it answers: a status
        # other than 200 answers an error, a delay stalls it.
        self.jwks = None
        self.jwks_status, self.jwks_delay = 200, 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                fake.token_requests += 1
                form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
                code = form.get("code", [""])[0]
                if form.get("client_secret") != [CLIENT_SECRET] or form.get("client_id") != [CLIENT_ID]:
                    return self.answer(401, {"error": "invalid_client", "error_code": "KOE010"})
                if code not in fake.profiles or code in fake.used:
                    return self.answer(400, {"error": "invalid_grant", "error_code": "KOE320"})
                fake.used.add(code)
                time.sleep(fake.delays.get(code, 0))
                self.answer(200, {"token_type": "bearer", "access_token": "kakao-at-" + code, "expires_in": 21599})

            def do_GET(self):
                if self.path == "/.well-known/jwks.json" and fake.jwks is not None:
                    time.sleep(fake.jwks_delay)
                    return self.answer(fake.jwks_status, fake.jwks if fake.jwks_status == 200 else {"error": "server_error"})
                token = self.headers.get("Authorization", "").removeprefix("Bearer kakao-at-")
                if token not in fake.profiles:
                    return self.answer(401, {"msg": "this access token does not exist", "code": -401})
                self.answer(200, fake.profiles[token])

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def add_code(self, code, kakao_id, delay=0, **account):
        self.profiles[code] = {"id": kakao_id, "kakao_account": account}
        self.delays[code] = delay


class Service:
    """One `kakao-auth serve` process; restartable on the same database."""

    def __init__(self, kakao, tmp_path, **overrides):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp_path / "service.log"
        self.env = {
            "PATH": os.environ["PATH"],
            "KAKAO_CLIENT_ID": CLIENT_ID,
            "KAKAO_CLIENT_SECRET": CLIENT_SECRET,
            "KAKAO_REDIRECT_URIS": REDIRECT_URI,
            "KAKAO_AUTH_BASE_URL": kakao.url,
            "KAKAO_API_BASE_URL": kakao.url,
            "JWT_SECRET": JWT_SECRET,
            **store_environment(tmp_path, overrides),
            "PORT": str(self.port),
            **overrides,
        }
        self.process = None

    def start(self):
        self.process = start(["serve"], self.log_path, env=self.env, health_url=self.url + "/healthz")
        return self

    def kill(self, sig=signal.SIGKILL):
        self.process.send_signal(sig)
        self.process.wait(timeout=20)

    def login(self, code, delivery="body"):
        return requests.post(self.url + "/auth/kakao", json={"code": code, "token_delivery": delivery}, timeout=10)

    def command(self, *arguments):
        """Runs another subcommand (migrate, purge, events) on the same database."""
        return subprocess.run([str(BINARY), *arguments], env=self.env, capture_output=True, text=True, timeout=30)

    @property
    def log(self):
        return self.log_path.read_text(errors="replace")
