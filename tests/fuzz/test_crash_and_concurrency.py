"""Crashes and races: kill -9 in the middle of a burst, parallel refreshes of one token, a full disk."""
import base64
import json
import signal
import sqlite3
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from fuzz_support import DrillService


def claims(token):
    return json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "==="))


def test_kill_9_during_a_burst_loses_nothing_acknowledged(faulty_kakao, tmp_path):
    service = DrillService(tmp_path, faulty_kakao.url)
    acknowledged_sessions, revoked_sessions, stop = [], [], threading.Event()

    def burst(worker):
        number = 0
        while not stop.is_set():
            number += 1
            try:
                login = requests.post(service.url + "/auth/kakao", json={"code": f"ok-{worker}-{number}", "token_delivery": "body"}, timeout=5)
                if login.status_code != 200:
                    continue
                body = login.json()
                acknowledged_sessions.append(claims(body["access_token"])["sid"])
                refreshed = requests.post(service.url + "/auth/refresh", json={"refresh_token": body["refresh_token"]}, timeout=5)
                if refreshed.status_code == 200 and number % 3 == 0:
                    logout = requests.post(service.url + "/auth/logout", json={"refresh_token": refreshed.json()["refresh_token"]}, timeout=5)
                    if logout.status_code == 204:
                        revoked_sessions.append(claims(body["access_token"])["sid"])
            except requests.RequestException:
                pass  # the kill cut this request off: it was never acknowledged

    workers = [threading.Thread(target=burst, args=(index,)) for index in range(8)]
    for worker in workers:
        worker.start()
    time.sleep(2.5)
    service.process.send_signal(signal.SIGKILL)
    service.process.wait(timeout=10)
    stop.set()
    for worker in workers:
        worker.join(timeout=10)
    assert len(acknowledged_sessions) > 20, "the burst did not get going"

    with sqlite3.connect(service.database) as database:
        assert database.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0]: row[1] for row in database.execute("SELECT id, revoked_at FROM sessions")}
    missing = [sid for sid in acknowledged_sessions if sid not in stored]
    assert not missing, f"{len(missing)} acknowledged logins lost"
    assert all(stored[sid] is not None for sid in revoked_sessions), "an acknowledged logout was undone"

    restarted = DrillService(tmp_path, faulty_kakao.url)
    try:
        assert requests.post(restarted.url + "/auth/kakao", json={"code": "ok-after-crash"}, timeout=5).status_code == 200
    finally:
        restarted.stop()


def test_parallel_refreshes_of_one_token_never_fork_the_session(drill_service):
    def refresh(token):
        answer = requests.post(drill_service.url + "/auth/refresh", json={"refresh_token": token}, timeout=10)
        return answer.status_code, answer.json()

    with ThreadPoolExecutor(max_workers=10) as pool:
        for round_number in range(50):
            body = requests.post(drill_service.url + "/auth/kakao", json={"code": f"ok-race-{round_number}", "token_delivery": "body"}, timeout=5).json()
            answers = list(pool.map(refresh, [body["refresh_token"]] * 10))
            assert all(status == 200 for status, _ in answers), answers
            successors = {answer["refresh_token"] for _, answer in answers}
            assert len(successors) == 1, "two live successors of one refresh token"
            sid = claims(body["access_token"])["sid"]
            with sqlite3.connect(drill_service.database) as database:
                live = database.execute(
                    "SELECT COUNT(*) FROM refresh_tokens WHERE session_id = ? AND rotated_at IS NULL", (sid,)).fetchone()[0]
            assert live == 1


def test_a_full_disk_is_a_503_and_the_service_recovers(faulty_kakao, tmp_path):
    service = DrillService(tmp_path, faulty_kakao.url)
    try:
        assert requests.post(service.url + "/auth/kakao", json={"code": "ok-disk-0"}, timeout=5).status_code == 200
        # No file of the process may grow beyond 64 KiB from now on: SQLite's next growth fails as on a full disk.
        subprocess.run(["prlimit", f"--pid={service.process.pid}", "--fsize=65536:unlimited"], check=True)
        statuses = set()
        for number in range(1, 200):
            answer = requests.post(service.url + "/auth/kakao", json={"code": f"ok-disk-{number}"}, timeout=5)
            statuses.add(answer.status_code)
            if answer.status_code == 503:
                assert answer.json()["code"] == "service_unavailable"
                break
        assert 503 in statuses, f"the write never failed: {statuses}"
        assert 500 not in statuses
        assert service.process.poll() is None, "the process survived"
        assert requests.get(service.url + "/healthz", timeout=5).status_code == 200
        subprocess.run(["prlimit", f"--pid={service.process.pid}", "--fsize=unlimited"], check=True)
        assert requests.post(service.url + "/auth/kakao", json={"code": "ok-disk-recovered"}, timeout=5).status_code == 200
    finally:
        service.stop()
    with sqlite3.connect(service.database) as database:
        assert database.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
