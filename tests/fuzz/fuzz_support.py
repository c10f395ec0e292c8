"""Shared by the fuzz and fault suites: the service under drill, against the faulty Kakao."""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from harness import free_port, start  # noqa: E402

JWT_SECRET = "drill-secret-drill-secret-0123456789abcdef"
REDIRECT_URI = "https://app.example/callback"
KAKAO_TIMEOUT = 2.0


class DrillService:
    """`kakao-auth serve` against the faulty Kakao."""

    def __init__(self, directory, kakao_url, **overrides):
        self.port, self.metrics_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.metrics_url = f"http://127.0.0.1:{self.metrics_port}/metrics"
        self.database = Path(directory) / "drill.sqlite"
        self.log_path = Path(directory) / "service.log"
        self.env = {
            "PATH": os.environ["PATH"], "KAKAO_CLIENT_ID": "drill", "KAKAO_REDIRECT_URIS": REDIRECT_URI,
            "KAKAO_AUTH_BASE_URL": kakao_url, "KAKAO_API_BASE_URL": kakao_url, "KAKAO_TIMEOUT_SECONDS": str(KAKAO_TIMEOUT),
            "JWT_SECRET": JWT_SECRET, "DATABASE_PATH": str(self.database), "PORT": str(self.port),
            "METRICS_PORT": str(self.metrics_port), "RATE_LIMIT_PER_MINUTE": "0", **overrides,
        }
        self.process = start(["serve"], self.log_path, env=self.env, health_url=self.url + "/healthz")

    def rss_kib(self):
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)
