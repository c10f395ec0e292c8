// fetch(): a refresh on 401 invalid_token only, one at a time per tab, tabs taking turns through Web Locks.
import assert from "node:assert/strict";
import { test } from "node:test";
import { AUTH, USER, channelHub, fakeLocks, fakeService, holdingAnswers, openTab, problem, settle, until } from "./fakes.mjs";

const ME = `${AUTH}/users/me`;
const LOCK = `kakao-auth ${AUTH}`;

function signedInService(options) {
  const service = fakeService(options);
  service.signIn();
  return service;
}

test("fetch sends the cookies and leaves a good answer alone", async () => {
  const service = signedInService();
  const { auth } = openTab(service);

  const answer = await auth.fetch(ME);

  assert.equal(answer.status, 200);
  assert.deepEqual(await answer.json(), USER);
  assert.deepEqual(service.calls.map((call) => [call.route, call.credentials]), [["GET /users/me", "include"]]);
  assert.equal(auth.stats.refreshes, 0);
});

test("a 401 invalid_token is refreshed once and the request, body and all, sent again", async () => {
  const service = signedInService();
  service.expireAccess();
  const { auth, events } = openTab(service);
  const body = JSON.stringify({ note: "sent twice, read twice" });

  const answer = await auth.fetch(`${AUTH}/api/echo`, { method: "POST", headers: { "Content-Type": "application/json" }, body });

  assert.equal(answer.status, 200);
  assert.deepEqual(await answer.json(), { echoed: body });
  assert.deepEqual(service.calls.map((call) => call.route), ["POST /api/echo", "POST /auth/refresh", "POST /api/echo"]);
  assert.equal(service.calls[2].body, body);
  assert.equal(auth.stats.refreshes, 1);
  assert.deepEqual(events, [], "a refresh is no change to announce");
});

test("a stream body is sent again too", async () => {
  const service = signedInService();
  service.expireAccess();
  const { auth } = openTab(service);
  const stream = new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode("streamed"));
      controller.close();
    },
  });

  const answer = await auth.fetch(`${AUTH}/api/echo`, { method: "POST", body: stream, duplex: "half" });

  assert.deepEqual(await answer.json(), { echoed: "streamed" });
});

test("other 401s and other errors are answered as they are, without a refresh", async () => {
  const answers = {
    "GET /api/webhook-ish": () => problem(401, "invalid_credentials"),
    "GET /api/plain-401": () => new Response("no", { status: 401 }),
    "GET /api/forbidden": () => problem(403, "csrf_rejected"),
    "GET /api/code-in-text": () => new Response('{"code":"invalid_token"', { status: 401 }),
  };
  const service = signedInService({ routes: answers });
  const { auth } = openTab(service);

  for (const route of Object.keys(answers)) {
    const answer = await auth.fetch(AUTH + route.split(" ")[1]);
    assert.ok(answer.status === 401 || answer.status === 403, route);
    await answer.text(); // the caller can still read the body
  }
  assert.equal(service.count("POST /auth/refresh"), 0);
  assert.equal(auth.stats.refreshes, 0);
});

test("the retry is the last word: a second invalid_token is returned, not refreshed again", async () => {
  const service = signedInService({ routes: { "GET /users/me": async () => problem(401, "invalid_token") } });
  const { auth } = openTab(service);

  const answer = await auth.fetch(ME);

  assert.equal(answer.status, 401);
  assert.equal(service.count("POST /auth/refresh"), 1);
  assert.equal(service.count("GET /users/me"), 2);
});

for (const withLocks of [false, true]) {
  test(`concurrent 401s in one tab share one refresh (${withLocks ? "with" : "without"} Web Locks)`, async () => {
    const service = signedInService();
    service.expireAccess();
    const { auth } = openTab(service, { locks: withLocks ? fakeLocks() : null });

    const answers = await Promise.all([auth.fetch(ME), auth.fetch(ME), auth.fetch(`${AUTH}/api/echo`, { method: "POST", body: "x" })]);

    assert.deepEqual(answers.map((answer) => answer.status), [200, 200, 200]);
    assert.equal(service.count("POST /auth/refresh"), 1);
    assert.equal(auth.stats.refreshes, 1);
  });
}

test("a 401 to a request sent before this tab's refresh is retried without another refresh", async () => {
  const service = signedInService();
  service.expireAccess();
  const held = holdingAnswers(service, "/api/slow");
  const { auth } = openTab(service, { environment: { fetch: held.fetch } });

  const early = auth.fetch(`${AUTH}/api/slow`);
  await settle();
  assert.equal((await auth.fetch(ME)).status, 200);
  held.release();

  assert.equal((await early).status, 200);
  assert.equal(service.count("GET /api/slow"), 2);
  assert.equal(service.count("POST /auth/refresh"), 1);
});

test("a refused refresh resolves with the 401 answer and announces refresh_failed here and in the other tabs", async () => {
  const service = signedInService();
  service.endSession();
  const hub = channelHub();
  const tab = openTab(service, { hub });
  const otherTab = openTab(service, { hub });

  const answer = await tab.auth.fetch(ME);

  assert.equal(answer.status, 401);
  assert.equal((await answer.json()).code, "invalid_token", "the original answer, its body unread");
  assert.equal(service.count("POST /auth/refresh"), 1);
  assert.deepEqual(tab.events, [{ type: "refresh_failed" }]);
  await until(() => otherTab.events.length > 0);
  assert.deepEqual(otherTab.events, [{ type: "refresh_failed" }]);
});

test("a refresh that fails for passing reasons resolves with the 401 answer and announces nothing", async () => {
  for (const failure of [() => problem(503, "service_unavailable"), () => problem(429, "rate_limited"),
    () => Promise.reject(new TypeError("Failed to fetch"))]) {
    const service = signedInService({ routes: { "POST /auth/refresh": failure } });
    service.expireAccess();
    const { auth, events } = openTab(service);

    assert.equal((await auth.fetch(ME)).status, 401);
    assert.deepEqual(events, []);
    assert.equal(auth.stats.refreshes, 1);
  }
});

test("after a refused refresh, a 401 to a request sent before it is not refreshed again", async () => {
  const service = signedInService();
  service.endSession();
  const held = holdingAnswers(service, "/api/slow");
  const { auth, events } = openTab(service, { environment: { fetch: held.fetch } });

  const early = auth.fetch(`${AUTH}/api/slow`);
  await settle();
  assert.equal((await auth.fetch(ME)).status, 401);
  held.release();

  assert.equal((await early).status, 401);
  assert.equal(service.count("GET /api/slow"), 1, "not sent again either");
  assert.equal(service.count("POST /auth/refresh"), 1);
  assert.deepEqual(events, [{ type: "refresh_failed" }]);
});

test("concurrent 401s in one tab share one refused refresh", async () => {
  const service = signedInService();
  service.endSession();
  const { auth, events } = openTab(service);

  const answers = await Promise.all([auth.fetch(ME), auth.fetch(ME)]);

  assert.deepEqual(answers.map((answer) => answer.status), [401, 401]);
  assert.equal(service.count("POST /auth/refresh"), 1);
  assert.deepEqual(events, [{ type: "refresh_failed" }]);
});

for (const delivery of ["microtask", "task", "never"]) {
  test(`four tabs with an expired access token make one refresh (messages delivered: ${delivery})`, async () => {
    const service = signedInService();
    service.expireAccess();
    const locks = fakeLocks();
    const hub = channelHub(delivery);
    const tabs = [1, 2, 3, 4].map(() => openTab(service, { locks, hub }));

    const answers = await Promise.all(tabs.map(({ auth }) => auth.fetch(ME)));

    assert.deepEqual(answers.map((answer) => answer.status), [200, 200, 200, 200]);
    assert.equal(service.count("POST /auth/refresh"), 1);
    assert.equal(tabs.reduce((sum, { auth }) => sum + auth.stats.refreshes, 0), 1);
    // Each tab's request and its retry; a tab that waited for the lock and had not yet heard of the
    // refresh asks /users/me once more whether its cookies are good now.
    const asked = service.count("GET /users/me");
    if (delivery === "microtask") assert.equal(asked, 8);
    if (delivery === "never") assert.equal(asked, 8 + 3);
    assert.deepEqual(tabs.flatMap(({ events }) => events), [], "a refresh is no change to announce");
  });
}

test("without Web Locks simultaneous refreshes in four tabs all succeed, thanks to the reuse interval", async () => {
  const service = signedInService();
  service.expireAccess();
  const tabs = [1, 2, 3, 4].map(() => openTab(service, { hub: channelHub("never") }));

  const answers = await Promise.all(tabs.map(({ auth }) => auth.fetch(ME)));

  assert.deepEqual(answers.map((answer) => answer.status), [200, 200, 200, 200]);
  assert.equal(service.refreshes.rotated, 1);
  assert.equal(service.refreshes.withinReuseInterval, 3);
});

test("a lock held past the time limit is not waited for: the tab refreshes without it", async () => {
  const service = signedInService();
  service.expireAccess();
  const locks = fakeLocks();
  locks.hold(LOCK); // a frozen tab's
  const { auth } = openTab(service, { locks, options: { lockTimeoutMs: 20 } });

  const started = Date.now();
  const answer = await auth.fetch(ME);

  assert.equal(answer.status, 200);
  assert.ok(Date.now() - started >= 15, "it waited first");
  assert.equal(auth.stats.refreshes, 1);
  assert.equal(locks.waiting(LOCK), 0, "its wait was withdrawn");
});

for (const lockTimeoutMs of [undefined, 60_000]) {
  test(`the lock wait lasts at most 10 s (lockTimeoutMs: ${lockTimeoutMs})`, async (t) => {
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const service = signedInService();
    service.expireAccess();
    const locks = fakeLocks();
    locks.hold(LOCK);
    const { auth } = openTab(service, { locks, options: { lockTimeoutMs } });

    const answer = auth.fetch(ME);
    await until(() => locks.waiting(LOCK) === 1);
    t.mock.timers.tick(9_999);
    await settle();
    assert.equal(service.count("POST /auth/refresh"), 0, "still waiting just before the limit");
    t.mock.timers.tick(1);

    assert.equal((await answer).status, 200);
    assert.equal(service.count("POST /auth/refresh"), 1);
  });
}

test("nothing is sent before the app asks: no timers, no refresh on creation", async () => {
  const service = signedInService();
  openTab(service, { locks: fakeLocks(), hub: channelHub() });
  await settle();
  assert.equal(service.calls.length, 0);
});
