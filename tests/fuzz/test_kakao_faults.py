"""Fault drills: every way Kakao can fail ends in the documented problem answer within
KAKAO_TIMEOUT_SECONDS plus a little, leaves no user, session or token behind, and keeps memory flat."""
import sqlite3
import time

import pytest
import requests

from fuzz_support import KAKAO_TIMEOUT

FAULTS = [
    ("token:status400", "provider_error"), ("token:status401", "provider_error"), ("token:status429", "provider_error"),
    ("token:status500", "provider_error"), ("token:status503", "provider_error"), ("token:html", "provider_error"),
    ("token:malformed", "provider_error"), ("token:truncated", "provider_error"), ("token:endless", "provider_timeout"),
    ("token:huge", "provider_error"), ("token:reset", "provider_error"), ("token:silent", "provider_timeout"),
    ("user:status400", "provider_error"), ("user:status401", "provider_error"), ("user:status429", "provider_error"),
    ("user:status500", "provider_error"), ("user:status503", "provider_error"), ("user:html", "provider_error"),
    ("user:malformed", "provider_error"), ("user:truncated", "provider_error"), ("user:endless", "provider_timeout"),
    ("user:huge", "provider_error"), ("user:reset", "provider_error"), ("user:silent", "provider_timeout"),
    ("user:id=\"123\"", "provider_error"), ("user:id=12.5", "provider_error"), ("user:id=1.0", "provider_error"),
    ("user:id=-5", "provider_error"), ("user:id=0", "provider_error"), ("user:noid", "provider_error"),
]


def login(service, code):
    return requests.post(service.url + "/auth/kakao", json={"code": code, "token_delivery": "body"}, timeout=30)


def rows(service, table):
    with sqlite3.connect(service.database) as database:
        return database.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


@pytest.mark.parametrize(("code", "problem"), FAULTS)
def test_each_fault_is_a_prompt_documented_problem_and_leaves_nothing(drill_service, code, problem):
    started = time.monotonic()
    answer = login(drill_service, code)
    elapsed = time.monotonic() - started
    assert answer.status_code == (504 if problem == "provider_timeout" else 502), answer.text
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert answer.json()["code"] == problem
    assert elapsed < KAKAO_TIMEOUT + 1.0, f"{code} took {elapsed:.1f}s"
    assert rows(drill_service, "users") == 0 and rows(drill_service, "sessions") == 0 and rows(drill_service, "refresh_tokens") == 0


def test_memory_stays_flat_across_repeated_faults(drill_service):
    assert login(drill_service, "ok-warmup").status_code == 200
    for code, _ in FAULTS[:6]:
        login(drill_service, code)
    before = drill_service.rss_kib()
    for _ in range(3):
        for code in ["token:huge", "user:huge", "token:endless", "user:malformed", "token:reset", "user:status500"]:
            login(drill_service, code)
    after = drill_service.rss_kib()
    assert after - before < 16 * 1024, f"RSS grew from {before} KiB to {after} KiB"
    assert login(drill_service, "ok-after").status_code == 200, "the service still logs people in"
