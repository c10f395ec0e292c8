// login() and handleRedirect(): Kakao's authorize URL with state and PKCE, and the way back.
import { createHash } from "node:crypto";
import assert from "node:assert/strict";
import { test } from "node:test";
import { createKakaoAuth } from "../../clients/browser/kakao-auth.js";
import { APP, AUTH, REDIRECT_URI, USER, fakeLocks, fakeService, fakeTab, openTab, settle } from "./fakes.mjs";

const PENDING = "kakao-auth:login:";

async function startLogin(service, options, loginOptions) {
  const client = openTab(service, { options });
  await client.auth.login(loginOptions);
  assert.equal(client.tab.location.assigned.length, 1);
  return { ...client, authorize: new URL(client.tab.location.assigned[0]) };
}

/** Kakao's redirect back to the callback page, in the tab that started the login. */
function redirectBack(client, parameters) {
  client.tab.location.href = `${REDIRECT_URI}?${new URLSearchParams(parameters)}`;
}

test("login sends the browser to Kakao's authorize page with the app's parameters, a state and an S256 challenge", async () => {
  const { authorize, tab } = await startLogin(fakeService());
  const parameters = Object.fromEntries(authorize.searchParams);

  assert.equal(authorize.origin + authorize.pathname, "https://kauth.kakao.com/oauth/authorize");
  assert.deepEqual(Object.keys(parameters).sort(),
    ["client_id", "code_challenge", "code_challenge_method", "redirect_uri", "response_type", "state"]);
  assert.equal(parameters.client_id, "rest-api-key");
  assert.equal(parameters.redirect_uri, REDIRECT_URI);
  assert.equal(parameters.response_type, "code");
  assert.equal(parameters.code_challenge_method, "S256");
  assert.match(parameters.state, /^[A-Za-z0-9_-]{43}$/, "32 random bytes, base64url");

  const verifier = tab.sessionStorage.getItem(PENDING + parameters.state);
  assert.match(verifier, /^[A-Za-z0-9_-]{43}$/, "a verifier RFC 7636 accepts, kept under the state");
  assert.equal(parameters.code_challenge, createHash("sha256").update(verifier).digest("base64url"));
});

test("login passes scope, prompt and nonce through, and goes to the authorize URL it is given", async () => {
  const { authorize } = await startLogin(fakeService(), { kakaoAuthorizeUrl: "http://localhost:8081/oauth/authorize" },
    { scope: "openid,profile_nickname", prompt: "login", nonce: "n-0S6_WzA2Mj" });

  assert.equal(authorize.origin + authorize.pathname, "http://localhost:8081/oauth/authorize");
  assert.equal(authorize.searchParams.get("scope"), "openid,profile_nickname");
  assert.equal(authorize.searchParams.get("prompt"), "login");
  assert.equal(authorize.searchParams.get("nonce"), "n-0S6_WzA2Mj");
});

test("every login has a fresh state and verifier", async () => {
  const client = openTab(fakeService());
  await client.auth.login();
  await client.auth.login();
  const [first, second] = client.tab.location.assigned.map((url) => new URL(url).searchParams);

  assert.notEqual(first.get("state"), second.get("state"));
  assert.notEqual(first.get("code_challenge"), second.get("code_challenge"));
  assert.equal(client.tab.sessionStorage.items.size, 2, "either login may still come back");
});

test("handleRedirect is null, and calls nothing, when the page is not Kakao's redirect", async () => {
  const service = fakeService();
  for (const href of [`${REDIRECT_URI}`, `${REDIRECT_URI}?tab=2`, `${APP}/coupons?code=SPRING&state=x`]) {
    const client = openTab(service, { tab: fakeTab(href) });
    assert.equal(await client.auth.handleRedirect(), null, href);
    assert.equal(client.tab.location.href, href, "the address is left alone");
  }
  assert.equal(service.calls.length, 0);
});

test("handleRedirect rejects with Kakao's error and clears Kakao's parameters", async () => {
  const service = fakeService();
  const client = await startLogin(service);
  const state = client.authorize.searchParams.get("state");
  redirectBack(client, { error: "access_denied", error_description: "User denied access", state, tab: "2" });

  await assert.rejects(client.auth.handleRedirect(), { code: "access_denied" });
  assert.equal(client.tab.location.href, `${REDIRECT_URI}?tab=2`);
  assert.equal(client.tab.sessionStorage.getItem(PENDING + state), null, "the abandoned login is forgotten");
  assert.equal(service.calls.length, 0);
  assert.deepEqual(client.events, []);
});

test("handleRedirect refuses a missing, foreign or spent state with invalid_state and never sends the code", async () => {
  const service = fakeService();
  const client = await startLogin(service);
  const state = client.authorize.searchParams.get("state");
  const code = service.consent(client.authorize);

  for (const parameters of [{ code }, { code, state: "" }, { code, state: `${state}x` }, { code, state: state.toUpperCase() }]) {
    redirectBack(client, parameters);
    await assert.rejects(client.auth.handleRedirect(), { code: "invalid_state" }, JSON.stringify(parameters));
    assert.equal(client.tab.location.href, REDIRECT_URI, "the code leaves the address bar all the same");
  }
  assert.equal(service.calls.length, 0);

  const anotherTab = openTab(service, { tab: fakeTab(`${REDIRECT_URI}?code=${code}&state=${state}`) });
  await assert.rejects(anotherTab.auth.handleRedirect(), { code: "invalid_state" }, "the state is the tab's that made it");
  assert.equal(service.calls.length, 0);

  redirectBack(client, { code, state });
  assert.deepEqual(await client.auth.handleRedirect(), USER);
  redirectBack(client, { code, state });
  await assert.rejects(client.auth.handleRedirect(), { code: "invalid_state" }, "a state serves one redirect");
  assert.equal(service.count("POST /auth/kakao"), 1);
});

test("handleRedirect posts the code and the verifier, clears the address and resolves to the user", async () => {
  const service = fakeService();
  const client = await startLogin(service);
  const state = client.authorize.searchParams.get("state");
  const verifier = client.tab.sessionStorage.getItem(PENDING + state);
  const code = service.consent(client.authorize);
  client.tab.location.href = `${REDIRECT_URI}?tab=2&code=${code}&state=${state}#settings`;

  assert.deepEqual(await client.auth.handleRedirect(), USER);

  assert.equal(service.calls.length, 1);
  const [call] = service.calls;
  assert.equal(call.route, "POST /auth/kakao");
  assert.equal(call.credentials, "include");
  assert.equal(call.contentType, "application/json");
  assert.deepEqual(JSON.parse(call.body), { code, redirect_uri: REDIRECT_URI, code_verifier: verifier });
  assert.equal(client.tab.location.href, `${REDIRECT_URI}?tab=2#settings`);
  assert.deepEqual(client.tab.history.state, { app: "state" }, "the app's history state is kept");
  assert.equal(client.tab.sessionStorage.items.size, 0);
  assert.deepEqual(client.events, [{ type: "login", user: USER }]);
  assert.equal(service.jar.access, "access-1", "the service set the cookies");
});

test("the redirect URI travels to Kakao and to the service exactly as configured", async () => {
  const service = fakeService();
  const configured = "https://App.example.com:443/callback";
  const client = await startLogin(service, { redirectUri: configured });
  assert.equal(client.authorize.searchParams.get("redirect_uri"), configured);
  const code = service.consent(client.authorize);
  redirectBack(client, { code, state: client.authorize.searchParams.get("state") }); // the browser's spelling

  await client.auth.handleRedirect();
  assert.equal(JSON.parse(service.calls[0].body).redirect_uri, configured);
});

test("handleRedirect posts the code in turn with other tabs' refreshes, so that a refused one cannot clear its cookies", async () => {
  const service = fakeService();
  const locks = fakeLocks();
  const client = openTab(service, { locks });
  await client.auth.login();
  const authorize = new URL(client.tab.location.assigned[0]);
  redirectBack(client, { code: service.consent(authorize), state: authorize.searchParams.get("state") });
  const release = locks.hold(`kakao-auth ${AUTH}`); // another tab's refresh

  const user = client.auth.handleRedirect();
  await settle();
  assert.equal(service.calls.length, 0, "not while another tab refreshes");
  release();

  assert.deepEqual(await user, USER);
  assert.equal(service.count("POST /auth/kakao"), 1);
});

test("a refused login rejects with the problem's code, status and body", async () => {
  const service = fakeService();
  const client = await startLogin(service);
  const state = client.authorize.searchParams.get("state");
  redirectBack(client, { code: "code-never-issued", state });

  const error = await client.auth.handleRedirect().catch((failure) => failure);
  assert.ok(error instanceof Error);
  assert.equal(error.code, "invalid_grant");
  assert.equal(error.status, 400);
  assert.equal(error.problem.type, "urn:kakao-auth:problem:invalid_grant");
  assert.deepEqual(client.events, []);
});

test("a login answer that is not a problem still rejects, as unexpected_response", async () => {
  const service = fakeService({ routes: { "POST /auth/kakao": async () => new Response("<h1>Bad gateway</h1>", { status: 502 }) } });
  const client = await startLogin(service);
  redirectBack(client, { code: "c", state: client.authorize.searchParams.get("state") });

  await assert.rejects(client.auth.handleRedirect(), { code: "unexpected_response", status: 502, problem: null });
});

test("createKakaoAuth refuses options it could not work with", () => {
  const good = { authUrl: AUTH, clientId: "rest-api-key", redirectUri: REDIRECT_URI };
  const environment = { fetch: fakeService().fetch, locks: null, BroadcastChannel: null };
  for (const bad of [{ authUrl: "/auth" }, { authUrl: `${AUTH}/kakao-auth` }, { clientId: "" }, { redirectUri: "callback" },
    { lockTimeoutMs: 0 }, { kakaoAuthorizeUrl: "kauth.kakao.com" }]) {
    assert.throws(() => createKakaoAuth({ ...good, ...bad }, environment), TypeError, JSON.stringify(bad));
  }
  assert.doesNotThrow(() => createKakaoAuth({ ...good, authUrl: `${AUTH}/` }, environment));
});
