"""What every Python suite needs to run the kakao-auth binary: where it is, free ports, waiting for health."""
import os
import socket
import subprocess
import time
import urllib.parse
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BINARY = Path(os.environ.get("KAKAO_AUTH_BINARY", ROOT / ".build" / "debug" / "kakao-auth"))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_healthy(url, process, log_path, seconds=30):
    """Polls `url` until it answers 200; fails with the process's log if it exits or never answers."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode}: {Path(log_path).read_text()}")
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer: {Path(log_path).read_text()}")


def wait_until_listening(port, process, log_path, seconds=30):
    """Waits until something accepts connections on 127.0.0.1:`port`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"port {port}: exited with {process.returncode}: {Path(log_path).read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}: {Path(log_path).read_text()}")


NGINX = "/usr/sbin/nginx"


def start_round_robin_proxy(directory, upstream_ports):
    """nginx (Debian's) on a free loopback port, round robin over the given local ports; returns the process
    and its port. A replica that refuses connections is skipped for 2 s; a request already sent is not
    retried elsewhere (nginx's default for POST)."""
    directory = Path(directory)
    port = free_port()
    servers = "\n".join(f"        server 127.0.0.1:{upstream} max_fails=1 fail_timeout=2s;" for upstream in upstream_ports)
    temporary = "\n".join(f"    {kind}_temp_path {directory}/nginx-{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (directory / "nginx.conf").write_text(f"""
user root;
worker_processes 1;
daemon off;
pid {directory}/nginx.pid;
error_log {directory}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
{temporary}
    upstream kakao_auth {{
{servers}
        keepalive 64;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://kakao_auth;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_connect_timeout 1s;
            proxy_next_upstream error timeout;
        }}
    }}
}}
""")
    (directory / "nginx-error.log").touch()
    process = subprocess.Popen([NGINX, "-c", str(directory / "nginx.conf"), "-p", str(directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until_listening(port, process, directory / "nginx-error.log")
    return process, port


def create_postgres_database(admin_url, prefix):
    """A new, empty database on the server `admin_url` names (a superuser's URL); returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex}"
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", admin_url, "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True, timeout=30)
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(admin_url)._replace(path="/" + name))


def drop_postgres_database(admin_url, url):
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", admin_url, "-c", f"DROP DATABASE {name} WITH (FORCE)"], check=True, capture_output=True, timeout=30)


# Which store the services under test use: `sqlite` (a file in the test's directory) or `postgres` (a new
# database on KAKAO_AUTH_TEST_DATABASE_URL's server per service, dropped by drop_test_databases).
TEST_STORE = os.environ.get("KAKAO_AUTH_TEST_STORE", "sqlite")
POSTGRES_ADMIN_URL = os.environ.get("KAKAO_AUTH_TEST_DATABASE_URL")
assert TEST_STORE in ("sqlite", "postgres"), "KAKAO_AUTH_TEST_STORE is sqlite or postgres"
assert TEST_STORE == "sqlite" or POSTGRES_ADMIN_URL, "KAKAO_AUTH_TEST_STORE=postgres needs KAKAO_AUTH_TEST_DATABASE_URL (.ci/postgres start)"
_test_databases = []


def store_environment(directory, overrides):
    """The store variables of a service under test, unless `overrides` chooses its store itself."""
    if "DATABASE_URL" in overrides or "DATABASE_PATH" in overrides:
        return {}
    if TEST_STORE == "sqlite":
        return {"DATABASE_PATH": str(Path(directory) / "kakao-auth.sqlite")}
    url = create_postgres_database(POSTGRES_ADMIN_URL, "kakao_auth_suite")
    _test_databases.append(url)
    return {"DATABASE_URL": url}


def drop_test_databases():
    while _test_databases:
        drop_postgres_database(POSTGRES_ADMIN_URL, _test_databases.pop())


def start(arguments, log_path, env=None, health_url=None, port=None):
    """Starts the binary with `arguments`, its output appended to `log_path`, and waits until it answers
    `health_url` or listens on `port`."""
    with open(log_path, "ab") as log:
        process = subprocess.Popen([str(BINARY), *arguments], env=env, stdout=log, stderr=subprocess.STDOUT)
    if health_url:
        wait_until_healthy(health_url, process, log_path)
    elif port:
        wait_until_listening(port, process, log_path)
    return process


class Stack:
    """`kakao-auth serve` with a `kakao-auth emulator` as its Kakao, on fresh ports and a fresh database."""

    CLIENT_ID = "stack-client"
    NATIVE_APP_KEY = "stack-native-app-key"
    APP_ID = "4242"
    CLIENT_SECRET = "stack-client-secret"
    ADMIN_KEY = "stack-admin-key-0123456789abcdef0123"
    JWT_SECRET = "stack-secret-stack-secret-0123456789abcdef"

    def __init__(self, directory, emulator_options=(), **overrides):
        self.directory = Path(directory)
        self.port, self.emulator_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.emulator_url = f"http://127.0.0.1:{self.emulator_port}"
        self.redirect_uri = f"http://localhost:{self.port}/"
        self.emulator_arguments = [
            "emulator", "--port", str(self.emulator_port), "--client-id", self.CLIENT_ID,
            "--client-secret", self.CLIENT_SECRET, "--admin-key", self.ADMIN_KEY, "--native-app-key", self.NATIVE_APP_KEY,
            "--app-id", self.APP_ID, *emulator_options,
        ]
        self.env = {
            "PATH": os.environ["PATH"],
            "KAKAO_CLIENT_ID": self.CLIENT_ID, "KAKAO_CLIENT_SECRET": self.CLIENT_SECRET, "KAKAO_ADMIN_KEY": self.ADMIN_KEY,
            "KAKAO_AUTH_BASE_URL": self.emulator_url, "KAKAO_API_BASE_URL": self.emulator_url,
            "KAKAO_REDIRECT_URIS": f"{self.redirect_uri},http://localhost:{self.port}/auth/kakao/callback",
            "PUBLIC_URL": f"http://localhost:{self.port}", "JWT_SECRET": self.JWT_SECRET, "COOKIE_SECURE": "false",
            # Apps on Kakao's SDKs: the emulator's id_tokens (for the web or the native key).
            "KAKAO_OIDC_ISSUER": self.emulator_url, "KAKAO_ID_TOKEN_AUDIENCES": f"{self.CLIENT_ID},{self.NATIVE_APP_KEY}",
            "RATE_LIMIT_PER_MINUTE": "0", "PORT": str(self.port), **store_environment(self.directory, overrides),
            **overrides,
        }
        self.processes = []

    def __enter__(self):
        self.processes.append(start(self.emulator_arguments, self.directory / "emulator.log", port=self.emulator_port))
        self.processes.append(start(["serve"], self.directory / "service.log", env=self.env, health_url=self.url + "/healthz"))
        return self

    def __exit__(self, *_):
        for process in self.processes:
            process.terminate()
            process.wait(timeout=20)

    def code(self, kakao_id="9007199254740993", nickname="fuzz", email=None):
        """An authorization code from the emulator, as if a user had agreed on its consent page."""
        answer = requests.post(self.emulator_url + "/oauth/authorize", data={
            "client_id": self.CLIENT_ID, "redirect_uri": self.redirect_uri, "response_type": "code",
            "decision": "approve", "kakao_id": kakao_id, "nickname": nickname,
            **({"share_email": "on", "email": email} if email else {}),
        }, allow_redirects=False, timeout=5)
        return urllib.parse.parse_qs(urllib.parse.urlsplit(answer.headers["Location"]).query)["code"][0]

    def login(self, **identity):
        answer = requests.post(self.url + "/auth/kakao", json={"code": self.code(**identity), "token_delivery": "body"}, timeout=10)
        answer.raise_for_status()
        return answer.json()
