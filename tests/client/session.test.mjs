// user(), logout() and onChange(): the signed-in user, ending sessions, and every tab told of it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { REDIRECT_URI, USER, channelHub, fakeLocks, fakeService, openTab, problem, settle, until } from "./fakes.mjs";

function signedInService(options) {
  const service = fakeService(options);
  service.signIn();
  return service;
}

async function logInThroughKakao(service, client) {
  await client.auth.login();
  const authorize = new URL(client.tab.location.assigned.at(-1));
  const code = service.consent(authorize);
  client.tab.location.href = `${REDIRECT_URI}?code=${code}&state=${authorize.searchParams.get("state")}`;
  return client.auth.handleRedirect();
}

test("user() is the signed-in user, refreshed for when needed", async () => {
  const service = signedInService();
  const { auth } = openTab(service);
  assert.deepEqual(await auth.user(), USER);

  service.expireAccess();
  assert.deepEqual(await auth.user(), USER);
  assert.equal(auth.stats.refreshes, 1);
});

test("user() is null without a session, which the refused refresh announces", async () => {
  const { auth, events } = openTab(fakeService());

  assert.equal(await auth.user(), null);
  assert.deepEqual(events, [{ type: "refresh_failed" }]);
});

test("user() rejects when the service cannot answer", async () => {
  const service = signedInService({ routes: { "GET /users/me": async () => problem(503, "service_unavailable") } });
  const { auth } = openTab(service);

  await assert.rejects(auth.user(), { code: "service_unavailable", status: 503 });
});

test("logout() ends this session, clears the cookies and announces logout", async () => {
  const service = signedInService();
  const { auth, events } = openTab(service);

  await auth.logout();

  const [call] = service.calls;
  assert.equal(call.route, "POST /auth/logout");
  assert.equal(call.credentials, "include");
  assert.equal(call.body, "", "all_sessions is not asked for");
  assert.equal(service.jar.refresh, null);
  assert.deepEqual(events, [{ type: "logout" }]);
});

test("logout({ everywhere: true }) asks the service for all_sessions", async () => {
  const service = signedInService();
  const { auth, events } = openTab(service);

  await auth.logout({ everywhere: true });

  const [call] = service.calls;
  assert.equal(call.route, "POST /auth/logout");
  assert.equal(call.contentType, "application/json");
  assert.deepEqual(JSON.parse(call.body), { all_sessions: true });
  assert.deepEqual(events, [{ type: "logout" }]);
});

test("logout() of a session already over resolves signed out; with everywhere it rejects, signed out all the same", async () => {
  const service = fakeService();
  const { auth, events } = openTab(service);

  await auth.logout();
  assert.deepEqual(events, [{ type: "logout" }]);

  await assert.rejects(auth.logout({ everywhere: true }), { code: "refresh_token_invalid", status: 401 });
  assert.deepEqual(events, [{ type: "logout" }, { type: "logout" }]);
});

test("logout() that the service could not carry out rejects and announces nothing", async () => {
  const service = signedInService({ routes: { "POST /auth/logout": async () => problem(503, "service_unavailable") } });
  const { auth, events } = openTab(service);

  await assert.rejects(auth.logout(), { code: "service_unavailable" });
  assert.deepEqual(events, []);
});

test("onChange hears of logins and logouts in this tab and in the other tabs of the origin", async () => {
  const service = fakeService();
  const hub = channelHub("task");
  const first = openTab(service, { hub });
  const second = openTab(service, { hub });

  await logInThroughKakao(service, first);
  await until(() => second.events.length === 1);
  assert.deepEqual(second.events, [{ type: "login", user: USER }]);

  await second.auth.logout();
  await until(() => first.events.length === 2);
  assert.deepEqual(first.events, [{ type: "login", user: USER }, { type: "logout" }]);
  assert.deepEqual(second.events, [{ type: "login", user: USER }, { type: "logout" }]);
});

test("tabs of another service's client on the same origin hear nothing", async () => {
  const hub = channelHub();
  const ours = openTab(signedInService(), { hub });
  const theirs = openTab(fakeService(), { hub, options: { authUrl: "https://auth.other.example" } });

  await ours.auth.logout();
  await settle();
  assert.deepEqual(theirs.events, []);
});

test("the unsubscribe function stops a listener, here and from other tabs", async () => {
  const service = signedInService();
  const hub = channelHub();
  const first = openTab(service, { hub });
  const second = openTab(service, { hub });
  const heard = [];
  const unsubscribe = first.auth.onChange((event) => heard.push(event.type));

  await first.auth.logout();
  assert.deepEqual(heard, ["logout"]);
  unsubscribe();
  await first.auth.logout();
  await second.auth.logout();
  await settle();

  assert.deepEqual(heard, ["logout"]);
  assert.equal(first.events.length, 3, "the other listener still hears");
});

test("without BroadcastChannel the tab's own listeners still hear", async () => {
  const service = signedInService();
  const { auth, events } = openTab(service, { hub: null });

  await auth.logout();
  assert.deepEqual(events, [{ type: "logout" }]);
});

test("a login in another tab mends 401s to requests this tab sent before it, without a refresh", async () => {
  const service = fakeService();
  const hub = channelHub();
  const locks = fakeLocks();
  const waiting = openTab(service, { hub, locks });
  const release = locks.hold("kakao-auth https://auth.example.com");
  const answer = waiting.auth.fetch("https://auth.example.com/users/me");
  await until(() => locks.waiting("kakao-auth https://auth.example.com") === 1);

  await logInThroughKakao(service, openTab(service, { hub }));
  await settle();
  release();

  assert.equal((await answer).status, 200);
  assert.equal(service.count("POST /auth/refresh"), 0);
});

test("messages that are not the client's are ignored", async () => {
  const hub = channelHub();
  const { events } = openTab(signedInService(), { hub });
  const stranger = new hub.BroadcastChannel("kakao-auth https://auth.example.com");

  for (const message of [null, "logout", { type: "admin" }, { type: "refreshed" }]) stranger.postMessage(message);
  await settle();
  assert.deepEqual(events, []);
});

test("onChange needs a function", () => {
  const { auth } = openTab(fakeService());
  assert.throws(() => auth.onChange("logout"), TypeError);
});
