import sys
import signal
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from blackbox_support import FakeKakao, Service  # noqa: E402
from harness import drop_test_databases  # noqa: E402


@pytest.fixture(autouse=True)
def test_databases():
    """With KAKAO_AUTH_TEST_STORE=postgres, each service's database goes when its test ends."""
    yield
    drop_test_databases()


@pytest.fixture
def kakao():
    fake = FakeKakao()
    yield fake
    fake.server.shutdown()


@pytest.fixture
def service(kakao, tmp_path):
    running = Service(kakao, tmp_path).start()
    yield running
    if running.process.poll() is None:
        running.kill(signal.SIGTERM)
