#!/usr/bin/env python3
"""kakao-auth's benchmark suite: builds the release binary, runs it against the emulator (in its
benchmark mode, measured alone first so that it is known not to be the bottleneck) and drives it with wrk
over loopback. Every figure is reported next to the ceiling measured in the same run: `GET /healthz` of
the same binary. The whole suite runs several rounds (three by default) and each figure is reported as its
median over the rounds, with the range next to it, because this machine's speed drifts by tens of percent
between minutes. Writes bench/results/results.json (every round's figures too) and
bench/results/chart.png, and prints a Markdown table for the README.

    python3 bench/run.py [--rounds 3] [--duration 10] [--no-build] [--only-admin-search]
"""
import argparse
import base64
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BINARY = ROOT / ".build" / "release" / "kakao-auth"
# The harness starts whatever KAKAO_AUTH_BINARY names: here, always the release build.
os.environ["KAKAO_AUTH_BINARY"] = str(BINARY)
sys.path.insert(0, str(ROOT / "tests"))
from harness import create_postgres_database, drop_postgres_database, free_port, start, start_round_robin_proxy  # noqa: E402

TOKEN_BENCH = ROOT / ".build" / "release" / "kakao-auth-token-bench"
RESULTS = ROOT / "bench" / "results"
WRK = ROOT / "bench" / "wrk"
CLIENT_ID, CLIENT_SECRET = "bench-client", "bench-client-secret"
NATIVE_APP_KEY = "bench-native-app-key"
REDIRECT_URI = "https://app.example/callback"
TICKS = os.sysconf("SC_CLK_TCK")


def wrk(url, *, script=None, arguments=(), connections=64, threads=2, duration=10, timeout=5):
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--latency", "--timeout", f"{timeout}s"]
    if script:
        command += ["-s", str(WRK / script)]
    command += [url]
    if arguments:
        command += ["--", *arguments]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    def latency(percentile):
        match = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": latency(50), "p99_ms": latency(99),
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": sum(map(int, socket_errors.groups())) if socket_errors else 0,
        "timeouts": int(socket_errors.group(4)) if socket_errors else 0,
    }


class Process:
    """CPU time and peak memory of a running process, from /proc."""

    def __init__(self, popen):
        self.popen = popen

    def cpu_seconds(self):
        fields = Path(f"/proc/{self.popen.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def memory_kib(self, field):
        for line in Path(f"/proc/{self.popen.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        return 0


def postgres_cpu_seconds():
    """CPU time of every PostgreSQL server process on the machine (the bench's server is the only one)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if text[text.index("(") + 1:text.rindex(")")] == "postgres":
            fields = text.rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / TICKS


def measure(process, url, postgres=False, **options):
    """One wrk run, with the service's CPU use (in cores) over it, right after a run of the ceiling
    (`GET /healthz` of the same process, same connections): this machine's speed drifts under sustained
    load, so each figure is compared with a ceiling measured moments before it. With `postgres`, also
    PostgreSQL's own CPU, in cores and in microseconds per request."""
    base = url.split("/", 3)
    ceiling = wrk(base[0] + "//" + base[2] + "/healthz", connections=options.get("connections", 64), duration=max(3, options.get("duration", 10) // 2))
    cpu, database_cpu, started = process.cpu_seconds(), postgres_cpu_seconds(), time.monotonic()
    result = wrk(url, **options)
    elapsed = time.monotonic() - started
    result["service_cpu_cores"] = round((process.cpu_seconds() - cpu) / elapsed, 2)
    if postgres:
        database_cores = (postgres_cpu_seconds() - database_cpu) / elapsed
        result["postgres_cpu_cores"] = round(database_cores, 2)
        result["postgres_cpu_us_per_request"] = round(database_cores * 1e6 / result["requests_per_second"], 1)
        result["service_cpu_us_per_request"] = round(result["service_cpu_cores"] * 1e6 / result["requests_per_second"], 1)
    result["service_rss_mib"] = round(process.memory_kib("VmRSS") / 1024, 1)
    result["ceiling_requests_per_second"] = ceiling["requests_per_second"]
    result["share_of_ceiling"] = round(result["requests_per_second"] / ceiling["requests_per_second"], 3)
    return result


def mint_id_tokens(emulator_url, count, users):
    """`count` id_tokens (with their nonces) of `users` Kakao users from 3000 on, signed by the emulator in two
    halves at once (RS256 signing is the cost, about a millisecond each)."""
    def half(size):
        answer = requests.post(emulator_url + "/emulator/id-tokens", data={"count": size, "users": users, "first_kakao_id": 3000}, timeout=600)
        answer.raise_for_status()
        return answer.text.splitlines()
    with ThreadPoolExecutor(2) as pool:
        halves = list(pool.map(half, [count - count // 2, count // 2] if count > 1 else [count]))
    return [line for lines in halves for line in lines]


def emulator(directory, name, delay=0.0):
    port = free_port()
    arguments = ["emulator", "--port", str(port), "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET, "--accept-any-code",
                 "--native-app-key", NATIVE_APP_KEY]
    if delay:
        arguments += ["--token-delay", str(delay), "--user-delay", str(delay)]
    process = start(arguments, directory / f"{name}.log", env={"PATH": os.environ["PATH"]}, port=port)
    return process, f"http://127.0.0.1:{port}"


def service(directory, kakao_url, port, name="service", **overrides):
    env = {
        "PATH": os.environ["PATH"], "KAKAO_CLIENT_ID": CLIENT_ID, "KAKAO_CLIENT_SECRET": CLIENT_SECRET,
        "KAKAO_REDIRECT_URIS": REDIRECT_URI, "KAKAO_AUTH_BASE_URL": kakao_url, "KAKAO_API_BASE_URL": kakao_url,
        "JWT_SECRET": "bench-secret-bench-secret-0123456789abcdef",
        # SQLite unless the scenario names a PostgreSQL database (the service refuses both at once).
        **({} if "DATABASE_URL" in overrides else {"DATABASE_PATH": str(directory / "bench.sqlite")}),
        "PORT": str(port), "RATE_LIMIT_PER_MINUTE": "0", "LOG_LEVEL": "warning",
        # id_tokens from the emulator's SDK stand-in, made before the run and valid for all of it.
        "KAKAO_OIDC_ISSUER": kakao_url, "KAKAO_ID_TOKEN_AUDIENCES": NATIVE_APP_KEY, "KAKAO_ID_TOKEN_MAX_AGE": "3600",
        **overrides,
    }
    url = f"http://127.0.0.1:{port}"
    return Process(start(["serve"], directory / f"{name}.log", env=env, health_url=url + "/healthz")), url, env


def login(url, code):
    answer = requests.post(url + "/auth/kakao", json={"code": code, "redirect_uri": REDIRECT_URI, "token_delivery": "body"}, timeout=10)
    answer.raise_for_status()
    return answer.json()


# Issue 23's typical authorized user: four roles and 200 bytes of app_metadata (as the token bench's).
APP_CLAIM_ROLES = "billing:read,editor,support.tier2,viewer"
APP_CLAIM_METADATA = json.dumps({"note": "x" * 162, "org": "acme", "plan": "team"}, separators=(",", ":"))


def login_with_app_claims(env, url, code):
    """An access token carrying APP_CLAIM_ROLES and APP_CLAIM_METADATA: the user logs in, an operator sets
    both with the `users` commands (on the running service's store), and the next login carries them."""
    user_id = login(url, code)["user"]["id"]
    for command in (["set-roles", "--roles", APP_CLAIM_ROLES], ["set-app-metadata", "--json", APP_CLAIM_METADATA]):
        subprocess.run([str(BINARY), "users", command[0], "--user", user_id, *command[1:]], env=env, check=True, capture_output=True, timeout=60)
    token = login(url, code)["access_token"]
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert payload["roles"] == APP_CLAIM_ROLES.split(",") and len(json.dumps(payload["app_metadata"], separators=(",", ":"))) == 200, payload
    return token


def startup_ms(env, runs=5):
    """Start to the first 200 on /healthz, with the database already migrated."""
    timings = []
    for _ in range(runs):
        port = free_port()
        run_env = {**env, "PORT": str(port)}
        started = time.monotonic()
        process = subprocess.Popen([str(BINARY), "serve"], env=run_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.002)
        timings.append((time.monotonic() - started) * 1000)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    return round(sorted(timings)[len(timings) // 2], 1)


ADMIN_SEARCH_USERS = 100_000
# A term one user in six has in the nickname (a full page at once), and one nobody has: every row is read.
ADMIN_SEARCH_TERMS = {"admin_users_q": "KIM", "admin_users_q_rare": "zzqx"}
NICKNAMES = ["김민준", "이서연", "Kim Jiho", "park", "lee", "최유나"]


def seed_users(database_path=None, database_url=None, count=ADMIN_SEARCH_USERS):
    """`count` users straight into a migrated database, one registration a second, as logins would leave them:
    a nickname of six kinds (Korean and Latin) and an email."""
    env = {"PATH": os.environ["PATH"], **({"DATABASE_URL": database_url} if database_url else {"DATABASE_PATH": str(database_path)})}
    subprocess.run([str(BINARY), "migrate"], env=env, check=True, capture_output=True, timeout=120)
    if database_url:
        names = ", ".join("'" + name + "'" for name in NICKNAMES)
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", database_url, "-c",
                        f"INSERT INTO users (id, kakao_id, nickname, email, email_verified, created_at, updated_at, last_login_at) "
                        f"SELECT 'seed' || g, 10000000 + g, (ARRAY[{names}])[g % 6 + 1] || g, 'user' || g || '@example.com', TRUE, "
                        f"1700000000 + g, 1700000000 + g, 1700000000 + g FROM generate_series(1, {count}) AS g; ANALYZE users"],
                       check=True, capture_output=True, timeout=300)
        return
    import sqlite3
    database = sqlite3.connect(database_path)
    try:
        database.executemany(
            "INSERT INTO users (id, kakao_id, nickname, email, email_verified, created_at, updated_at, last_login_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?)",
            ((f"seed{g}", 10_000_000 + g, f"{NICKNAMES[g % 6]}{g}", f"user{g}@example.com", 1_700_000_000 + g, 1_700_000_000 + g, 1_700_000_000 + g)
             for g in range(1, count + 1)))
        database.commit()
        database.execute("ANALYZE")
    finally:
        database.close()


def admin_search(directory, kakao_url, scenarios, duration, postgres_url=None):
    """`GET /admin/users?q=` on the admin listener over 100,000 users, 50 a page, 4 operators at once: a term
    that fills a page at once, and one that matches nobody (every row read, the worst case)."""
    suffix = "_pg" if postgres_url else ""
    database = create_postgres_database(postgres_url, "kakao_auth_bench") if postgres_url else None
    store = {"DATABASE_URL": database} if database else {"DATABASE_PATH": str(directory / "admin-search.sqlite")}
    try:
        seed_users(database_path=store.get("DATABASE_PATH"), database_url=database)
        generated = subprocess.run([str(BINARY), "admin-key", "generate", "bench"], check=True, capture_output=True, text=True).stdout
        key, entry = (line.split(":", 1)[1].strip() for line in generated.strip().splitlines())
        admin_port = free_port()
        process, _, _ = service(directory, kakao_url, free_port(), name=f"service-admin{suffix}", ADMIN_PORT=str(admin_port), ADMIN_API_KEYS=entry, **store)
        try:
            for name, term in ADMIN_SEARCH_TERMS.items():
                url = f"http://127.0.0.1:{admin_port}/admin/users?q={term}&limit=50"
                answer = requests.get(url, headers={"Authorization": "Bearer " + key}, timeout=10)
                assert answer.status_code == 200 and len(answer.json()["users"]) == (50 if term == "KIM" else 0), answer.text[:200]
                scenarios[name + suffix] = measure(process, url, postgres=bool(postgres_url), script="bearer.lua", arguments=[key],
                                                   connections=4, duration=duration)
        finally:
            process.popen.send_signal(signal.SIGTERM)
            process.popen.wait(timeout=30)
    finally:
        if database:
            drop_postgres_database(postgres_url, database)


def postgres_round(directory, fast_url, slow_url, postgres_url, duration, scenarios):
    """The store scenarios again on PostgreSQL (a fresh database), then two replicas on one PostgreSQL behind
    nginx serving logins with a 100 ms Kakao at 256 clients."""
    database = create_postgres_database(postgres_url, "kakao_auth_bench")
    try:
        process, url, _ = service(directory, fast_url, free_port(), name="service-pg", DATABASE_URL=database)
        try:
            body = login(url, "user-1")
            scenarios["users_me_pg"] = measure(process, url + "/users/me", postgres=True, script="bearer.lua", arguments=[body["access_token"]], duration=duration)
            tokens = directory / "refresh-tokens-pg.txt"
            tokens.write_text("\n".join(login(url, f"user-{1000 + number}")["refresh_token"] for number in range(256)) + "\n")
            scenarios["refresh_pg"] = measure(process, url + "/auth/refresh", postgres=True, script="refresh.lua", arguments=[str(tokens), "2"], duration=duration)
            wrk(url + "/auth/kakao", script="login.lua", arguments=["existing", REDIRECT_URI, "1000"], duration=3)  # registers them
            scenarios["login_existing_pg"] = measure(process, url + "/auth/kakao", postgres=True, script="login.lua", arguments=["existing", REDIRECT_URI, "1000"], duration=duration)
        finally:
            process.popen.send_signal(signal.SIGTERM)
            process.popen.wait(timeout=30)
        replicas = [service(directory, slow_url, free_port(), name=f"replica-{number}", DATABASE_URL=database) for number in range(2)]
        proxy, proxy_port = start_round_robin_proxy(directory, [int(url.rsplit(":", 1)[1]) for _, url, _ in replicas])
        try:
            login(f"http://127.0.0.1:{proxy_port}", "user-1")
            cpu = [process.cpu_seconds() for process, _, _ in replicas]
            database_cpu, started = postgres_cpu_seconds(), time.monotonic()
            result = wrk(f"http://127.0.0.1:{proxy_port}/auth/kakao", script="login.lua", arguments=["existing", REDIRECT_URI, "1000"],
                         connections=256, duration=max(duration, 10), timeout=5)
            elapsed = time.monotonic() - started
            result["service_cpu_cores"] = round(sum(process.cpu_seconds() - before for (process, _, _), before in zip(replicas, cpu)) / elapsed, 2)
            result["postgres_cpu_cores"] = round((postgres_cpu_seconds() - database_cpu) / elapsed, 2)
            result["littles_law_bound"] = 256 / (2 * 0.1)
            scenarios["login_slow_kakao_256_two_replicas_pg"] = result
        finally:
            proxy.terminate()
            proxy.wait(timeout=20)
            for process, _, _ in replicas:
                process.popen.send_signal(signal.SIGTERM)
                process.popen.wait(timeout=30)
    finally:
        drop_postgres_database(postgres_url, database)


def run_round(duration, postgres_url):
    """Every scenario once, each on its own fresh services and database."""
    results = {"scenarios": {}}
    scenarios = results["scenarios"]
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        fast_kakao, fast_url = emulator(directory, "emulator")
        slow_kakao, slow_url = emulator(directory, "slow-emulator", delay=0.1)
        process, url, env = service(directory, fast_url, free_port())
        try:
            # The fake alone: it must comfortably outrun what the service asks of it.
            token = requests.post(fast_url + "/oauth/token", data={
                "grant_type": "authorization_code", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                "redirect_uri": REDIRECT_URI, "code": "user-1"}, timeout=5).json()["access_token"]
            results["fake_kakao_user_me"] = wrk(fast_url + "/v2/user/me", script="bearer.lua", arguments=[token], duration=duration)

            scenarios["healthz"] = measure(process, url + "/healthz", duration=duration)
            scenarios["healthz"]["share_of_ceiling"] = 1.0
            body = login(url, "user-1")
            scenarios["users_me"] = measure(process, url + "/users/me", script="bearer.lua", arguments=[body["access_token"]], duration=duration)
            claims_token = login_with_app_claims(env, url, "user-2")
            scenarios["users_me_app_claims"] = measure(process, url + "/users/me", script="bearer.lua", arguments=[claims_token], duration=duration)
            scenarios["users_me_app_claims"]["of_users_me"] = round(
                scenarios["users_me_app_claims"]["share_of_ceiling"] / scenarios["users_me"]["share_of_ceiling"], 3)
            scenarios["introspect"] = measure(process, url + "/auth/introspect", script="introspect.lua", arguments=[body["access_token"]], duration=duration)

            tokens = directory / "refresh-tokens.txt"
            tokens.write_text("\n".join(login(url, f"user-{1000 + number}")["refresh_token"] for number in range(256)) + "\n")
            scenarios["refresh"] = measure(process, url + "/auth/refresh", script="refresh.lua", arguments=[str(tokens), "2"], duration=duration)

            wrk(url + "/auth/kakao", script="login.lua", arguments=["existing", REDIRECT_URI, "1000"], duration=3)  # registers them
            scenarios["login_existing"] = measure(process, url + "/auth/kakao", script="login.lua", arguments=["existing", REDIRECT_URI, "1000"], duration=duration)
            scenarios["login_new"] = measure(process, url + "/auth/kakao", script="login.lua", arguments=["new", REDIRECT_URI], duration=duration)
            # Apps on Kakao's SDKs: id_tokens of 256 users, verified against the cached JWKS (fetched by the
            # warm-up). Each logs in once, so the run gets fresh ones, enough for 7,000 logins a second.
            for number, line in enumerate(mint_id_tokens(fast_url, 256, 256)):
                token, nonce = line.split(" ")
                requests.post(url + "/auth/kakao", json={"id_token": token, "nonce": nonce, "token_delivery": "body"}, timeout=5).raise_for_status()
            id_tokens = directory / "id-tokens.txt"
            id_tokens.write_text("\n".join(mint_id_tokens(fast_url, 7_000 * duration, 256)) + "\n")
            scenarios["login_id_token"] = measure(process, url + "/auth/kakao", script="id_token_login.lua", arguments=[str(id_tokens), "2"], duration=duration)
            scenarios["login_id_token"]["of_login_existing"] = round(
                scenarios["login_id_token"]["requests_per_second"] / scenarios["login_existing"]["requests_per_second"], 2)
            results["peak_rss_mib_fast"] = round(process.memory_kib("VmHWM") / 1024, 1)
        finally:
            process.popen.send_signal(signal.SIGTERM)
            process.popen.wait(timeout=30)
        results["sizing"] = database_sizing(directory / "bench.sqlite")
        results["startup_ms"] = startup_ms(env)

        # Asymmetric tokens (issue 14): authenticated requests with 64 distinct EdDSA tokens, and logins.
        key = directory / "eddsa.pem"
        subprocess.run([str(BINARY), "keys", "generate", "--algorithm", "EdDSA", "--out", str(key)], check=True, capture_output=True, timeout=30)
        eddsa_process, eddsa_url, _ = service(directory, fast_url, free_port(), name="service-eddsa", JWT_ALGORITHM="EdDSA", JWT_PRIVATE_KEY_FILE=str(key), JWT_SECRET="")
        try:
            access_tokens = directory / "eddsa-access-tokens.txt"
            access_tokens.write_text("\n".join(login(eddsa_url, f"user-{2000 + number}")["access_token"] for number in range(64)) + "\n")
            scenarios["users_me_eddsa"] = measure(eddsa_process, eddsa_url + "/users/me", script="bearer_many.lua", arguments=[str(access_tokens)], duration=duration)
            scenarios["login_existing_eddsa"] = measure(eddsa_process, eddsa_url + "/auth/kakao", script="login.lua", arguments=["existing", REDIRECT_URI, "1000"], duration=duration)
            scenarios["login_existing_eddsa"]["of_login_existing"] = round(
                scenarios["login_existing_eddsa"]["share_of_ceiling"] / scenarios["login_existing"]["share_of_ceiling"], 2)
        finally:
            eddsa_process.popen.send_signal(signal.SIGTERM)
            eddsa_process.popen.wait(timeout=30)

        slow_process, slow_service_url, _ = service(directory, slow_url, free_port())
        try:
            login(slow_service_url, "user-1")
            scenarios["login_slow_kakao_256"] = measure(
                slow_process, slow_service_url + "/auth/kakao", script="login.lua", arguments=["existing", REDIRECT_URI, "1000"],
                connections=256, duration=max(duration, 10), timeout=5)
            scenarios["login_slow_kakao_256"]["littles_law_bound"] = 256 / (2 * 0.1)
            results["peak_rss_mib_slow"] = round(slow_process.memory_kib("VmHWM") / 1024, 1)
        finally:
            slow_process.popen.send_signal(signal.SIGTERM)
            slow_process.popen.wait(timeout=30)
        admin_search(directory, fast_url, scenarios, duration)
        try:
            postgres_round(directory, fast_url, slow_url, postgres_url, duration, scenarios)
            admin_search(directory, fast_url, scenarios, duration, postgres_url)
        finally:
            for kakao in (fast_kakao, slow_kakao):
                kakao.terminate()
                kakao.wait(timeout=20)
    results["tokens"] = json.loads(subprocess.run([str(TOKEN_BENCH)], capture_output=True, text=True, check=True).stdout)
    return results


def database_sizing(path):
    """Bytes on disk per row of each table, its indexes included (SQLite's dbstat: whole pages, so free space
    inside them counts too), after the workloads above: what each user, session, refresh token and audit
    event costs the file."""
    import sqlite3
    database = sqlite3.connect(path)
    try:
        sizing = {}
        for table in ("users", "sessions", "refresh_tokens", "auth_events"):
            rows = database.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            size = database.execute(
                "SELECT SUM(pgsize) FROM dbstat WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name = ?)", (table,)).fetchone()[0]
            sizing[table] = {"rows": rows, "bytes": size, "bytes_per_row": round(size / rows) if rows else None}
        return sizing
    finally:
        database.close()


def median_with_range(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def summarise(rounds, duration):
    """The median of every figure over the rounds, with its range; errors are added up over the rounds and
    the peak RSS is the highest seen, since those targets are limits rather than typical values."""
    first = rounds[0]
    summary = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "processor": platform.processor()},
               "duration_seconds": duration, "rounds": len(rounds), "scenarios": {}}
    for name in first["scenarios"]:
        runs = [round_["scenarios"][name] for round_ in rounds]
        summary["scenarios"][name] = {
            field: (sum(run[field] for run in runs) if field in ("non_2xx", "socket_errors", "timeouts")
                    else runs[0][field] if field == "littles_law_bound"
                    else median_with_range([run[field] for run in runs]))
            for field in runs[0]}
    summary["fake_kakao_user_me"] = median_with_range([round_["fake_kakao_user_me"]["requests_per_second"] for round_ in rounds])
    summary["peak_rss_mib"] = max(max(round_["peak_rss_mib_fast"], round_["peak_rss_mib_slow"]) for round_ in rounds)
    summary["startup_ms"] = median_with_range([round_["startup_ms"] for round_ in rounds])
    summary["tokens"] = {field: median_with_range([round_["tokens"][field] for round_ in rounds])
                         for field in ("sign_and_verify_per_second", "hmac_one_shot_per_second", "hmac_keyed_context_per_second",
                                       "rs256_verify_microseconds", "eddsa_sign_and_verify_per_second", "es256_sign_and_verify_per_second",
                                       "app_claims_sign_and_verify_per_second", "eddsa_app_claims_sign_and_verify_per_second")}
    for field in ("signing_input_bytes", "token_bytes", "token_with_app_claims_bytes"):
        summary["tokens"][field] = first["tokens"][field]
    summary["sizing"] = first["sizing"]
    summary["every_round"] = rounds
    return summary


TARGETS = [
    ("GET /users/me", "users_me", 0.60, "≥ 60% of /healthz, p99 < 5 ms"),
    ("POST /auth/introspect", "introspect", 0.60, "≥ 60% of /healthz"),
    ("POST /auth/refresh", "refresh", 0.25, "≥ 25% of /healthz, no errors"),
    ("POST /auth/kakao, existing users", "login_existing", 0.15, "≥ 15% of /healthz"),
    ("POST /auth/kakao, new users", "login_new", 0.15, "≥ 15% of /healthz"),
]


def table(results):
    """Medians over the rounds; in brackets, the lowest and highest of the rounds."""
    scenarios = results["scenarios"]

    def share(figure):
        return f"{figure['median']:.0%} ({figure['min']:.0%}–{figure['max']:.0%})"

    def milliseconds(figure, digits=2):
        return f"{figure['median']:.{digits}f} ms ({figure['min']:.{digits}f}–{figure['max']:.{digits}f})"

    def row(name, scenario, ratio, target, met, digits=2):
        errors = scenario["non_2xx"] + scenario["socket_errors"]
        return (f"| {name} | {scenario['requests_per_second']['median']:,.0f} | {ratio} | {scenario['p50_ms']['median']:.{digits}f} ms "
                f"| {milliseconds(scenario['p99_ms'], digits)} | {errors} | {scenario['service_cpu_cores']['median']:.2f} cores | {target} "
                f"| {'' if met is None else 'yes' if met and errors == 0 else '**no**'} |")

    rows = ["| scenario | req/s | of /healthz (measured just before) | p50 | p99 | errors | service CPU | target | met |",
            "|---|---|---|---|---|---|---|---|---|",
            row("GET /healthz", scenarios["healthz"], "100%", "", None)]
    for name, key, target_share, target in TARGETS:
        scenario = scenarios[key]
        met = scenario["share_of_ceiling"]["median"] >= target_share and (key != "users_me" or scenario["p99_ms"]["median"] < 5)
        rows.append(row(name, scenario, share(scenario["share_of_ceiling"]), target, met))
    id_token = scenarios["login_id_token"]
    of_code = id_token["of_login_existing"]
    rows.append(row("POST /auth/kakao with an id_token (JWKS cached)", id_token,
                    f"{share(id_token['share_of_ceiling'])}; {of_code['median']:.1f}× code login ({of_code['min']:.1f}–{of_code['max']:.1f})",
                    "≥ 2× code login (existing users), no errors", of_code["median"] >= 2))
    with_claims = scenarios["users_me_app_claims"]
    of_plain = with_claims["of_users_me"]
    rows.append(row("GET /users/me, token with 4 roles and 200 B of app_metadata", with_claims,
                    f"{share(with_claims['share_of_ceiling'])}; {of_plain['median']:.0%} of without ({of_plain['min']:.0%}–{of_plain['max']:.0%})",
                    "≥ 90% of /users/me without them (as shares of /healthz)", of_plain["median"] >= 0.9))
    eddsa_me = scenarios["users_me_eddsa"]
    rows.append(row("GET /users/me, EdDSA, 64 connections with 64 distinct tokens", eddsa_me, share(eddsa_me["share_of_ceiling"]),
                    "≥ 60% of /healthz", eddsa_me["share_of_ceiling"]["median"] >= 0.6))
    eddsa_login = scenarios["login_existing_eddsa"]
    of_hs256 = eddsa_login["of_login_existing"]
    rows.append(row("POST /auth/kakao, existing users, EdDSA", eddsa_login,
                    f"{share(eddsa_login['share_of_ceiling'])}; {of_hs256['median']:.0%} of HS256's ({of_hs256['min']:.0%}–{of_hs256['max']:.0%})",
                    "≥ 90% of HS256 logins (as shares of /healthz)", of_hs256["median"] >= 0.9))
    slow = scenarios["login_slow_kakao_256"]
    bound = slow["littles_law_bound"]
    of_bound = {field: value / bound for field, value in slow["requests_per_second"].items()}
    rows.append(row("POST /auth/kakao, Kakao 100 ms, 256 clients", slow, f"{share(of_bound)} of {bound:,.0f} (Little)",
                    "≥ 90% of Little's-law bound, no errors", of_bound["median"] >= 0.9, digits=0))
    # PostgreSQL: the same scenarios against the same binary on a PostgreSQL of the same machine, compared
    # with SQLite's figure of the same round; PostgreSQL's own CPU next to the service's.
    def on_postgres(name, key, sqlite_key, target_share, target):
        scenario, sqlite = scenarios[key], scenarios[sqlite_key]
        of_sqlite = scenario["requests_per_second"]["median"] / sqlite["requests_per_second"]["median"]
        errors = scenario["non_2xx"] + scenario["socket_errors"]
        cpu = (f"{scenario['service_cpu_cores']['median']:.2f} cores ({scenario['service_cpu_us_per_request']['median']:.0f} µs/req); "
               f"PostgreSQL {scenario['postgres_cpu_cores']['median']:.2f} cores ({scenario['postgres_cpu_us_per_request']['median']:.0f} µs/req)")
        met = None if target_share is None else of_sqlite >= target_share and errors == 0
        return (f"| {name} | {scenario['requests_per_second']['median']:,.0f} | {of_sqlite:.0%} of SQLite's ({sqlite['requests_per_second']['median']:,.0f}) "
                f"| {scenario['p50_ms']['median']:.2f} ms | {milliseconds(scenario['p99_ms'])} | {errors} | {cpu} | {target} "
                f"| {'' if met is None else 'yes' if met else '**no**'} |")
    rows.append(on_postgres("GET /users/me, PostgreSQL", "users_me_pg", "users_me", 0.5, "≥ 50% of SQLite's, no errors"))
    rows.append(on_postgres("POST /auth/refresh, PostgreSQL", "refresh_pg", "refresh", 0.4, "≥ 40% of SQLite's, no errors"))
    rows.append(on_postgres("POST /auth/kakao, existing users, PostgreSQL", "login_existing_pg", "login_existing", None, "(reported)"))
    replicas = scenarios["login_slow_kakao_256_two_replicas_pg"]
    of_bound = {field: value / bound for field, value in replicas["requests_per_second"].items()}
    errors = replicas["non_2xx"] + replicas["socket_errors"]
    rows.append(f"| POST /auth/kakao, Kakao 100 ms, 256 clients, two replicas on PostgreSQL behind nginx | {replicas['requests_per_second']['median']:,.0f} "
                f"| {share(of_bound)} of {bound:,.0f} (Little) | {replicas['p50_ms']['median']:.0f} ms | {milliseconds(replicas['p99_ms'], 0)} | {errors} "
                f"| {replicas['service_cpu_cores']['median']:.2f} cores (both); PostgreSQL {replicas['postgres_cpu_cores']['median']:.2f} cores "
                f"| ≥ 90% of Little's-law bound, no errors | {'yes' if of_bound['median'] >= 0.9 and errors == 0 else '**no**'} |")
    for key, term in ADMIN_SEARCH_TERMS.items():
        for suffix, store in (("", "SQLite"), ("_pg", "PostgreSQL")):
            scenario = scenarios[key + suffix]
            met = scenario["p99_ms"]["median"] < 100 if not suffix else None
            rows.append(row(f"GET /admin/users?q={term} over {ADMIN_SEARCH_USERS:,} users, 50 a page, 4 operators, {store}", scenario,
                            share(scenario["share_of_ceiling"]), "p99 < 100 ms" if not suffix else "(reported)", met))
    tokens = results["tokens"]
    rate, raw = tokens["sign_and_verify_per_second"], tokens["hmac_one_shot_per_second"]
    of_raw = rate["median"] / raw["median"]
    met = f"20%: {'yes' if of_raw >= 0.2 else '**no**'}; 500k/s: {'yes' if rate['median'] >= 500_000 else '**no**'}"
    rows.append(f"| token sign + verify, one core | {rate['median']:,.0f}/s ({rate['min']:,.0f}–{rate['max']:,.0f}) | {of_raw:.0%} of raw HMAC ({raw['median']:,.0f}/s) | | | | 1 core | ≥ 500k/s, ≥ 20% of raw HMAC | {met} |")
    claims = f"4 roles, 200 B app_metadata: {tokens['token_bytes']} → {tokens['token_with_app_claims_bytes']} B"
    for name, field, of in (("HS256, with app claims", "app_claims_sign_and_verify_per_second", "sign_and_verify_per_second"),
                            ("EdDSA", "eddsa_sign_and_verify_per_second", None), ("ES256", "es256_sign_and_verify_per_second", None),
                            ("EdDSA, with app claims", "eddsa_app_claims_sign_and_verify_per_second", "eddsa_sign_and_verify_per_second")):
        pairs = tokens[field]
        versus = f"{pairs['median'] / tokens[of]['median']:.0%} of without; {claims}" if of else ""
        cache = "" if name.startswith("HS256") else " (no cache)"
        rows.append(f"| {name} token sign + verify, one core{cache} | {pairs['median']:,.0f}/s ({pairs['min']:,.0f}–{pairs['max']:,.0f}) | {versus} | | | | 1 core | (reported) | |")
    # 64 MB is 61.0 MiB.
    peak = results["peak_rss_mib"]
    rows.append(f"| service peak RSS, all of the above | {peak} MiB (highest of the rounds) | | | | | | ≤ 64 MB (61.0 MiB) | {'yes' if peak <= 61 else '**no**'} |")
    rs256 = tokens["rs256_verify_microseconds"]
    rows.append(f"| RS256 verification (Kakao's 2048-bit key), one core | {rs256['median']:.1f} µs ({rs256['min']:.1f}–{rs256['max']:.1f}) per id_token login | | | | | 1 core | (reported) | |")
    startup = results["startup_ms"]
    rows.append(f"| start to first 200 on /healthz | {startup['median']:.1f} ms ({startup['min']:.1f}–{startup['max']:.1f}) | | | | | | ≤ 300 ms | {'yes' if startup['median'] <= 300 else '**no**'} |")
    return "\n".join(rows)


def chart(results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plot
    scenarios = results["scenarios"]
    names = ["healthz", "users_me", "introspect", "refresh", "login_existing", "login_new"]
    labels = ["GET /healthz", "GET /users/me", "introspect", "refresh", "login (existing)", "login (new)"]
    shares = [scenarios[name]["share_of_ceiling"] if name != "healthz" else {"median": 1, "min": 1, "max": 1} for name in names]
    medians = [share["median"] * 100 for share in shares]
    # Whiskers: the lowest and highest of the rounds.
    spread = [[(share["median"] - share["min"]) * 100 for share in shares], [(share["max"] - share["median"]) * 100 for share in shares]]
    targets = [None, 60, 60, 25, 15, 15]
    figure, axis = plot.subplots(figsize=(8, 4))
    bars = axis.barh(labels, medians, xerr=spread, capsize=3, color=["#bbbbbb"] + ["#FEE500"] * 5, edgecolor="#333333")
    for bar, target, name, above in zip(bars, targets, names, spread[1]):
        rate = scenarios[name]["requests_per_second"]["median"]
        axis.text(max(bar.get_width() + above, target or 0) + 1, bar.get_y() + bar.get_height() / 2, f"{rate:,.0f} req/s", va="center", fontsize=8)
        if target:
            axis.plot([target, target], [bar.get_y(), bar.get_y() + bar.get_height()], color="#c62828", linewidth=2)
    axis.invert_yaxis()
    axis.set_xlim(0, 125)
    axis.set_xlabel("throughput, % of GET /healthz of the same binary (red: target; whiskers: lowest and highest round)")
    axis.set_title(f"kakao-auth: release build, wrk over loopback, 2 shared cores; median of {results['rounds']} rounds", fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="how many times to run the whole suite (figures are medians)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--no-build", action="store_true", help="use the release binaries already built")
    parser.add_argument("--only-admin-search", action="store_true", help="run only the admin search scenarios, once, and print their figures")
    arguments = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench: wrk is missing (apt-get install wrk)")
    if not arguments.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--product", "kakao-auth"], cwd=ROOT, check=True)
        subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--product", "kakao-auth-token-bench"], cwd=ROOT, check=True)
    # PostgreSQL: the server KAKAO_AUTH_TEST_DATABASE_URL names, or a throwaway one of Debian's package.
    postgres_url = os.environ.get("KAKAO_AUTH_TEST_DATABASE_URL") or subprocess.run(
        [str(ROOT / ".ci" / "postgres"), "start"], check=True, capture_output=True, text=True).stdout.strip()
    if arguments.only_admin_search:
        scenarios = {}
        with tempfile.TemporaryDirectory() as temporary:
            kakao, kakao_url = emulator(Path(temporary), "emulator")
            try:
                admin_search(Path(temporary), kakao_url, scenarios, arguments.duration)
                admin_search(Path(temporary), kakao_url, scenarios, arguments.duration, postgres_url)
            finally:
                kakao.terminate()
                kakao.wait(timeout=20)
        print(json.dumps(scenarios, indent=2))
        return
    rounds = []
    for number in range(1, arguments.rounds + 1):
        print(f"bench: round {number} of {arguments.rounds}", file=sys.stderr, flush=True)
        rounds.append(run_round(arguments.duration, postgres_url))
    results = summarise(rounds, arguments.duration)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    chart(results, RESULTS / "chart.png")
    print(table(results))
    fake = results["fake_kakao_user_me"]
    print(f"\nfake Kakao alone: {fake['median']:,.0f} req/s on /v2/user/me ({fake['min']:,.0f}–{fake['max']:,.0f})")
    print("\n| table | rows after the workloads | bytes on disk per row, indexes included |\n|---|---|---|")
    for table_name, size in results["sizing"].items():
        print(f"| {table_name} | {size['rows']:,} | {size['bytes_per_row']} |")
    print(f"results: {RESULTS / 'results.json'}, chart: {RESULTS / 'chart.png'}")


if __name__ == "__main__":
    main()
