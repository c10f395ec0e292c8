import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from faulty_kakao import FaultyKakao  # noqa: E402
from fuzz_support import DrillService  # noqa: E402


@pytest.fixture(scope="module")
def faulty_kakao():
    kakao = FaultyKakao()
    yield kakao
    kakao.close()


@pytest.fixture(scope="module")
def drill_service(faulty_kakao, tmp_path_factory):
    service = DrillService(tmp_path_factory.mktemp("drill"), faulty_kakao.url)
    yield service
    service.stop()
