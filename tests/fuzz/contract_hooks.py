"""schemathesis hooks for the contract run (loaded through SCHEMATHESIS_HOOKS): every test case is logged in
as a user of its own, so the success paths are exercised, and a generated valid request is given the few
values that only the running configuration can make valid. Negative cases are left as generated."""
import itertools
import json
import os
import re
import urllib.parse

import requests
import schemathesis
from hypothesis import strategies as st

SERVICE = os.environ["CONTRACT_SERVICE_URL"]
EMULATOR = os.environ["CONTRACT_EMULATOR_URL"]
APP_ID = os.environ["CONTRACT_APP_ID"]
REDIRECT_URI = os.environ["CONTRACT_REDIRECT_URI"]
ADMIN_KEY = os.environ["CONTRACT_ADMIN_KEY"]
# The admin API's key (ADMIN_API_KEYS), for the run against the admin listener.
ADMIN_API_KEY = os.environ["CONTRACT_ADMIN_API_KEY"]
ADMIN_URL = os.environ["CONTRACT_ADMIN_URL"]
_logins = itertools.count()

# The account status webhook's body, a compact JWS, is no JSON: schemathesis needs told how to make one. Random
# bytes, random text, and three base64url-looking segments that no key of Kakao's signed.
_segment = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", max_size=64)
schemathesis.openapi.media_type("application/secevent+jwt", st.one_of(
    st.binary(max_size=512),
    st.text(max_size=256).map(str.encode),
    st.tuples(_segment, _segment, _segment).map(lambda parts: ".".join(parts).encode()),
))


@schemathesis.auth(refresh_interval=None, retry_on=[])
class FreshLogin:
    """A new session for every case (the emulator accepts any code: `user-<n>` is Kakao user n), so that a
    logout or an account deletion in one case never takes the login of the next away. Half the cases carry
    the access token as `Authorization: Bearer`, all carry both auth cookies; the webhook gets Kakao's
    `KakaoAK` admin key instead, and the admin API its own key (and no login: its cases may disable the
    users the logins use)."""

    def get(self, case, ctx):
        if case.path.startswith("/admin/"):
            return {}
        number = next(_logins)
        answer = requests.post(SERVICE + "/auth/kakao", json={"code": f"user-{number % 40 + 1}", "token_delivery": "body"}, timeout=10)
        answer.raise_for_status()
        body = answer.json()
        return {"access": body["access_token"], "refresh": body["refresh_token"], "bearer": number % 2 == 0}

    def set(self, case, data, ctx):
        headers = dict(case.headers or {})
        if case.path.startswith("/webhooks/"):
            headers["Authorization"] = "KakaoAK " + ADMIN_KEY
        elif case.path.startswith("/admin/"):
            headers["Authorization"] = "Bearer " + ADMIN_API_KEY
        else:
            if data["bearer"]:
                headers["Authorization"] = "Bearer " + data["access"]
            case.cookies = {**(case.cookies or {}), "__Host-access_token": data["access"], "__Secure-refresh_token": data["refresh"]}
        case.headers = headers


def _server_flow_state():
    """A real login state, as `/auth/kakao/login` hands it to a browser: the state and its cookie."""
    started = requests.get(SERVICE + "/auth/kakao/login", allow_redirects=False, timeout=10)
    state = urllib.parse.parse_qs(urllib.parse.urlsplit(started.headers["Location"]).query)["state"][0]
    return state, started.cookies["__Host-kakao_login_state"]


_sdk_users = itertools.count(1000)


def _sdk_login(nonce):
    """What Kakao's SDK hands an app (the emulator's stand-in): Kakao's access token and an id_token. Each
    for a user of its own: an id_token logs in once, and two for one user, one nonce and one second are the
    same token."""
    answer = requests.post(EMULATOR + "/emulator/sdk-login", data={"kakao_id": str(next(_sdk_users)), "nonce": nonce or ""}, timeout=10)
    answer.raise_for_status()
    return answer.json()


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    if not case.meta.generation.mode.is_positive:
        return
    body = case.body if isinstance(case.body, dict) else {}
    if case.path == "/auth/kakao":
        # `redirect_uri` is valid when it is one of KAKAO_REDIRECT_URIS, which no schema can enumerate, and
        # an id_token or access token only when Kakao (the emulator) issued it.
        if "redirect_uri" in body:
            body["redirect_uri"] = REDIRECT_URI
        if "id_token" in body:
            body["id_token"] = _sdk_login(body.get("nonce"))["id_token"]
        if "access_token" in body:
            body["access_token"] = _sdk_login(None)["access_token"]
    # The webhook's app_id, when sent, is valid only as KAKAO_APP_ID.
    if case.path == "/webhooks/kakao/unlink":
        for parameters in (case.query, body):
            if parameters and "app_id" in parameters:
                parameters["app_id"] = APP_ID
    # A SET is valid when Kakao signed it: the emulator signs one and delivers it first, so this case is its
    # repeat (202, and nothing done again).
    if case.path == "/webhooks/kakao/account-status":
        sent = requests.post(EMULATOR + "/emulator/account-event", data={
            "kakao_id": "1", "event": "token-issued", "webhook_url": SERVICE + case.path}, timeout=10)
        sent.raise_for_status()
        case.body = sent.json()["set"]
    # `q` is bounded in UTF-8 bytes, which JSON Schema cannot say (its maxLength counts characters).
    if case.path == "/admin/users" and case.query and isinstance(case.query.get("q"), str):
        case.query["q"] = case.query["q"].encode()[:200].decode(errors="ignore")
    # A cursor is valid when the API wrote it: a generated one becomes the next_cursor of a real first page.
    if case.path == "/admin/users" and case.query and "cursor" in case.query:
        page = requests.get(ADMIN_URL + "/admin/users", params={"limit": 1}, headers={"Authorization": "Bearer " + ADMIN_API_KEY}, timeout=10)
        page.raise_for_status()
        case.query["cursor"] = page.json()["next_cursor"] or ""
    # A callback is valid with the state of a login this browser started: its cookie must match.
    if case.path == "/auth/kakao/callback":
        state, cookie = _server_flow_state()
        case.query = {**(case.query or {}), "state": state}
        case.cookies = {**(case.cookies or {}), "__Host-kakao_login_state": cookie}
    # A role name matches its pattern wholly: the schema's `$` lets a generated one end in a newline, which
    # the service refuses (as it must), and uniqueItems compares before that newline is dropped.
    if case.path.endswith("/roles") and isinstance(body.get("roles"), list):
        names = [name for name in body["roles"] if isinstance(name, str) and re.fullmatch(r"[a-z][a-z0-9_.:-]{0,31}", name)]
        body["roles"] = list(dict.fromkeys(names))[:16]
    # app_metadata is bounded (1,024) by its compact form in UTF-8 bytes, which JSON Schema cannot say.
    if case.path.endswith("/app_metadata") and isinstance(case.body, dict):
        if len(json.dumps(case.body, separators=(",", ":"), ensure_ascii=False).encode()) > 900:  # a margin for escapes written differently
            case.body = {}
