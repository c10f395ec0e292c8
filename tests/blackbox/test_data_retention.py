"""What the database keeps: an erased account leaves no personal data in the files (in the rows, on
PostgreSQL), and databases made by earlier versions are brought up to the same rules by `kakao-auth migrate`."""
import json
import sqlite3
import subprocess

import pytest
import requests

from blackbox_support import BINARY, ROOT, TEST_STORE
from harness import Stack

# Distinctive enough that finding one of them in the database files can only mean it was not erased.
PEOPLE = {
    "deletes": {"kakao_id": "700000001", "nickname": "삭제할-닉네임-X1", "email": "deletes-x1@example.test", "agent": "Agent-Deletes/1.1 (X1)"},
    "unlinks": {"kakao_id": "700000002", "nickname": "연결끊기-닉네임-Y2", "email": "unlinks-y2@example.test", "agent": "Agent-Unlinks/2.2 (Y2)"},
}


def database_contents(stack):
    """SQLite: every file of the database, bytes as a disk image holds them. PostgreSQL: every row (its files keep
    dead row versions until VACUUM reuses the space, as README "Data we keep" says)."""
    if TEST_STORE == "sqlite":
        return {path.name: path.read_bytes() for path in stack.directory.glob("kakao-auth.sqlite*")}
    dump = subprocess.run(["pg_dump", "--data-only", stack.env["DATABASE_URL"]], capture_output=True, check=True, timeout=60)
    return {"pg_dump": dump.stdout}


def store_variables(stack):
    return {name: value for name, value in stack.env.items() if name in ("DATABASE_PATH", "DATABASE_URL")}


def log_in_and_refresh(stack, person):
    code = stack.code(kakao_id=person["kakao_id"], nickname=person["nickname"], email=person["email"])
    headers = {"User-Agent": person["agent"]}
    body = requests.post(stack.url + "/auth/kakao", json={"code": code, "token_delivery": "body"}, headers=headers, timeout=10).json()
    assert body["user"]["nickname"] == person["nickname"] and body["user"]["email"] == person["email"]
    refresh_token = body["refresh_token"]
    for _ in range(3):
        answer = requests.post(stack.url + "/auth/refresh", json={"refresh_token": refresh_token}, headers=headers, timeout=10)
        assert answer.status_code == 200, answer.text
        refresh_token = answer.json()["refresh_token"]
    return {**body, "refresh_token": refresh_token}


def test_deleted_and_unlinked_accounts_leave_no_personal_data_in_the_database(tmp_path):
    with Stack(tmp_path) as stack:
        deletes = log_in_and_refresh(stack, PEOPLE["deletes"])
        unlinks = log_in_and_refresh(stack, PEOPLE["unlinks"])
        everything = b"".join(database_contents(stack).values())
        assert all(person["agent"].encode() in everything for person in PEOPLE.values()), "the test must see the data first"

        # An access token alone erases nothing; the session's refresh token does.
        refused = requests.delete(stack.url + "/users/me", headers={"Authorization": "Bearer " + deletes["access_token"]}, timeout=10)
        assert refused.status_code == 405 and refused.headers["Allow"] == "GET, HEAD", refused.text
        deleted = requests.delete(stack.url + "/auth/account", json={"refresh_token": deletes["refresh_token"]},
                                  headers={"User-Agent": "Eraser/1"}, timeout=10)
        assert deleted.status_code == 204, deleted.text
        unlinked = requests.get(stack.url + "/webhooks/kakao/unlink", params={
            "user_id": PEOPLE["unlinks"]["kakao_id"], "referrer_type": "UNLINK_FROM_APPS"},
            headers={"Authorization": "KakaoAK " + stack.ADMIN_KEY}, timeout=10)
        assert unlinked.status_code == 200, unlinked.text
    # The service has stopped: whatever files it left are what a disk image would hold.
    files = database_contents(stack)
    assert files.keys() & {"kakao-auth.sqlite", "pg_dump"}
    for person in PEOPLE.values():
        for personal in (person["nickname"], person["email"], person["agent"]):
            for name, content in files.items():
                assert personal.encode() not in content, f"{personal!r} is still in {name}"

    for body, deletion in ((deletes, "unlink"), (unlinks, "webhook_unlink")):
        result = subprocess.run([str(BINARY), "events", "--user", body["user"]["id"], "--json"],
                                env=store_variables(stack), capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        events = [json.loads(line) for line in result.stdout.splitlines()]
        assert [event["kind"] for event in events] == [deletion, "refresh", "refresh", "refresh", "login", "registration"]
        assert all(event.keys() <= {"id", "at", "kind", "user_id", "session_id", "detail"} for event in events), events
        assert all(event.get("detail") in (None, "referrer_type=UNLINK_FROM_APPS") for event in events), events


@pytest.mark.skipif(TEST_STORE != "sqlite", reason="SQLite files of earlier versions (PostgreSQL came with migration 0005)")
def test_migrate_brings_a_database_of_an_earlier_version_up_to_the_retention_rules(tmp_path):
    """A database as version 0004 left it: no auto-vacuum, and an account deleted back then whose audit events
    still name the person."""
    path = tmp_path / "kakao-auth.sqlite"
    old = sqlite3.connect(path)
    old.execute("PRAGMA journal_mode = WAL")
    old.execute("CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
    for migration in sorted((ROOT / "migrations" / "sqlite").glob("000[1-4]_*.sql")):
        old.executescript(migration.read_text())
        old.execute("INSERT INTO grdb_migrations VALUES (?)", (migration.stem,))
    old.execute("INSERT INTO users (id, kakao_id, nickname, created_at, updated_at, last_login_at) VALUES ('kept', 1, 'still-here', 1, 1, 1)")
    old.executemany("INSERT INTO auth_events (at, kind, user_id, client_ip, user_agent, detail) VALUES (?, ?, ?, ?, ?, ?)", [
        (1, "login", "kept", "198.51.100.1", "Agent-Kept/1", None),
        (1, "registration", "gone", "198.51.100.2", "Agent-Gone/2", "kakao_id=2"),
        (2, "unlink", "gone", "198.51.100.2", "Agent-Gone/2", "kakao_id=2"),
        (3, "foreign_token_refused", None, "198.51.100.3", "Agent-Foreign/3", "app_id=9"),
    ])
    old.commit()
    assert old.execute("PRAGMA auto_vacuum").fetchone() == (0,)
    old.close()

    result = subprocess.run([str(BINARY), "migrate"], env={"DATABASE_PATH": str(path)}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr

    migrated = sqlite3.connect(path)
    assert migrated.execute("PRAGMA auto_vacuum").fetchone() == (2,), "incremental"
    rows = migrated.execute("SELECT kind, user_id, client_ip, user_agent, detail FROM auth_events ORDER BY id").fetchall()
    assert rows == [
        ("login", "kept", "198.51.100.1", "Agent-Kept/1", None),
        ("registration", "gone", None, None, None),
        ("unlink", "gone", None, None, None),
        ("foreign_token_refused", None, "198.51.100.3", "Agent-Foreign/3", "app_id=9"),
    ]
    assert migrated.execute("SELECT nickname FROM users").fetchall() == [("still-here",)]
    migrated.close()
    assert b"Agent-Gone/2" not in b"".join(path.read_bytes() for path in tmp_path.glob("kakao-auth.sqlite*"))
