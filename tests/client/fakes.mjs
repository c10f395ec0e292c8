// Stand-ins for what the browser client talks to: the service (with one browser's cookie jar), Kakao's
// consent step, Web Locks, BroadcastChannel and a tab's location, history and sessionStorage.
import { createHash } from "node:crypto";
import { createKakaoAuth } from "../../clients/browser/kakao-auth.js";

export const AUTH = "https://auth.example.com";
export const APP = "https://app.example.com";
export const REDIRECT_URI = `${APP}/callback`;
export const USER = Object.freeze({
  id: "cV3xO6mJbq0l0BqJjXo0cA", kakao_id: "9007199254740993", nickname: "라이언", email: null, email_verified: false,
  profile_image_url: null, thumbnail_image_url: null, created_at: "2026-11-22T00:43:24Z",
  updated_at: "2026-11-22T00:43:24Z", last_login_at: "2026-11-22T09:12:01Z", roles: [], app_metadata: {},
});

export function problem(status, code, headers = {}) {
  return new Response(JSON.stringify({ type: `urn:kakao-auth:problem:${code}`, title: code, status, detail: `${code} (fake)`, code }), {
    status, headers: { "Content-Type": "application/problem+json", ...headers },
  });
}

function json(body, status = 200) {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

/** Lets other requests in, as a network would. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * The service as one browser sees it: the cookie jar is shared by all its tabs. Access and refresh tokens
 * are numbered generations; the refresh token just replaced is accepted again while `reuseInterval` holds,
 * as the service does for two tabs refreshing at once. `routes` overrides an answer per "METHOD /path".
 */
export function fakeService({ reuseInterval = true, routes = {} } = {}) {
  const jar = { access: null, refresh: null };
  let current = 0;
  let replaced = null;
  const codes = new Map();
  const calls = [];
  const refreshes = { rotated: 0, withinReuseInterval: 0 };

  function issue() {
    current += 1;
    jar.access = `access-${current}`;
    jar.refresh = `refresh-${current}`;
  }

  const handlers = {
    "POST /auth/kakao": async (body) => {
      const { code, code_verifier: verifier } = JSON.parse(body);
      const challenge = codes.get(code);
      codes.delete(code);
      if (challenge === undefined || createHash("sha256").update(verifier ?? "").digest("base64url") !== challenge) {
        return problem(400, "invalid_grant");
      }
      issue();
      return json({ user: USER, new_user: true, access_token_expires_at: "…", refresh_token_expires_at: "…" });
    },
    "POST /auth/refresh": async (body, sent) => {
      if (sent.refresh !== null && sent.refresh === `refresh-${current}`) {
        replaced = sent.refresh;
        refreshes.rotated += 1;
        issue();
        return json({ access_token_expires_at: "…", refresh_token_expires_at: "…" });
      }
      if (reuseInterval && sent.refresh !== null && sent.refresh === replaced) {
        // The current refresh token again, with a new access token: both tabs end up on one chain.
        refreshes.withinReuseInterval += 1;
        jar.access = `access-${current}`;
        jar.refresh = `refresh-${current}`;
        return json({ access_token_expires_at: "…", refresh_token_expires_at: "…" });
      }
      jar.access = jar.refresh = null;
      return problem(401, sent.refresh === null ? "refresh_token_invalid" : "refresh_token_reused");
    },
    "POST /auth/logout": async (body, sent) => {
      const known = sent.refresh !== null && sent.refresh === `refresh-${current}`;
      jar.access = jar.refresh = null;
      return known ? new Response(null, { status: 204 }) : problem(401, "refresh_token_invalid");
    },
    "GET /users/me": async (body, sent) => (signedIn(sent)
      ? json(USER) : problem(401, "invalid_token", { "WWW-Authenticate": 'Bearer error="invalid_token"' })),
    "POST /api/echo": async (body, sent) => (signedIn(sent) ? json({ echoed: body }) : problem(401, "invalid_token")),
    "GET /api/slow": async (body, sent) => (signedIn(sent) ? json({ slow: true }) : problem(401, "invalid_token")),
  };

  const signedIn = (sent) => sent.access !== null && sent.access === `access-${current}`;

  async function fetch(request) {
    if (!(request instanceof Request)) throw new TypeError("the client must hand fetch a Request");
    const url = new URL(request.url);
    const route = `${request.method} ${url.pathname}`;
    // Read as a browser sends it: once (a spent body is a TypeError), with the cookies of that moment,
    // which answers to requests sent meanwhile may replace.
    const body = await request.text();
    const sent = { ...jar };
    calls.push({ route, credentials: request.credentials, contentType: request.headers.get("content-type"), body });
    await turn();
    const handler = routes[route] ?? handlers[route];
    return handler ? handler(body, sent) : problem(404, "not_found");
  }

  return {
    fetch,
    calls,
    jar,
    refreshes,
    count: (route) => calls.filter((call) => call.route === route).length,
    /** What Kakao's consent step does: a code bound to the login's PKCE challenge. */
    consent(authorizeUrl) {
      const code = `code-${codes.size + 1}`;
      codes.set(code, new URL(authorizeUrl).searchParams.get("code_challenge"));
      return code;
    },
    /** A session as after a login, without going through one. */
    signIn: issue,
    /** The access token runs out (the refresh token does not). */
    expireAccess() { jar.access = "access-expired"; },
    /** The session ends at the service (revoked elsewhere, or over) and its cookies are gone. */
    endSession() {
      current += 1;
      replaced = null;
      jar.access = jar.refresh = null;
    },
  };
}

/** One tab's location, history and sessionStorage. */
export function fakeTab(href = `${APP}/`) {
  const items = new Map();
  const location = { href, assigned: [], assign(url) { this.assigned.push(url); } };
  return {
    location,
    history: {
      state: { app: "state" },
      replaceState(state, unused, url) {
        this.state = state;
        location.href = new URL(url, location.href).href;
      },
    },
    sessionStorage: {
      items,
      getItem: (key) => (items.has(key) ? items.get(key) : null),
      setItem: (key, value) => { items.set(key, String(value)); },
      removeItem: (key) => { items.delete(key); },
    },
  };
}

/** Web Locks for the tabs of one origin: exclusive, granted in order, `ifAvailable` and `signal` honoured. */
export function fakeLocks() {
  const locks = new Map();
  const lockNamed = (name) => {
    if (!locks.has(name)) locks.set(name, { held: false, queue: [] });
    return locks.get(name);
  };

  async function run(lock, name, callback) {
    lock.held = true;
    try {
      return await callback({ name, mode: "exclusive" });
    } finally {
      lock.held = false;
      lock.queue.shift()?.();
    }
  }

  return {
    waiting: (name) => lockNamed(name).queue.length,
    request(name, options, callback) {
      const lock = lockNamed(name);
      if (options.ifAvailable) return lock.held ? Promise.resolve().then(() => callback(null)) : run(lock, name, callback);
      if (!lock.held) return run(lock, name, callback);
      return new Promise((resolve, reject) => {
        const grant = () => resolve(run(lock, name, callback));
        lock.queue.push(grant);
        options.signal?.addEventListener("abort", () => {
          const place = lock.queue.indexOf(grant);
          if (place === -1) return;
          lock.queue.splice(place, 1);
          reject(options.signal.reason);
        });
      });
    },
    /** The lock as a closed or frozen tab leaves it: held until `release` is called. */
    hold(name) {
      let release;
      const held = new Promise((resolve) => { release = resolve; });
      this.request(name, {}, () => held);
      return release;
    },
  };
}

/**
 * BroadcastChannel among the tabs of one origin. `delivery` "microtask" hands a message over before a
 * lock released after posting it is granted; "task" after (as a browser may); "never" loses them all.
 */
export function channelHub(delivery = "microtask") {
  const members = new Set();
  const deliver = { microtask: queueMicrotask, task: setImmediate, never: () => {} }[delivery];

  class FakeBroadcastChannel {
    constructor(name) {
      this.name = name;
      this.onmessage = null;
      members.add(this);
    }

    postMessage(data) {
      for (const member of members) {
        if (member !== this && member.name === this.name) {
          const copy = structuredClone(data);
          deliver(() => member.onmessage?.({ data: copy }));
        }
      }
    }
  }

  return { BroadcastChannel: FakeBroadcastChannel };
}

/** A client in a tab of the app, talking to `service`; `environment` overrides the tab's pieces. */
export function openTab(service, { locks = null, hub = null, options = {}, tab = fakeTab(), environment = {} } = {}) {
  const auth = createKakaoAuth(
    { authUrl: AUTH, clientId: "rest-api-key", redirectUri: REDIRECT_URI, ...options },
    { fetch: service.fetch, locks, BroadcastChannel: hub?.BroadcastChannel ?? null, ...tab, ...environment },
  );
  const events = [];
  auth.onChange((event) => events.push(event));
  return { auth, events, tab };
}

/** Lets everything that is ready run: answers, messages, granted locks. */
export async function settle() {
  for (let turns = 0; turns < 20; turns += 1) await turn();
}

/**
 * `service.fetch`, except that answers to `path` wait for `release()`: a request that was sent early and
 * whose answer comes late.
 */
export function holdingAnswers(service, path) {
  let release;
  const released = new Promise((resolve) => { release = resolve; });
  async function fetch(request) {
    const answer = service.fetch(request);
    if (new URL(request.url).pathname === path) await released;
    return answer;
  }
  return { fetch, release: () => release() };
}

/** Resolves once `condition()` holds, turning the event loop meanwhile. */
export async function until(condition) {
  for (let turns = 0; !condition(); turns += 1) {
    if (turns > 1000) throw new Error("the condition never held");
    await turn();
  }
}
