// kakao-auth for browsers: log in with Kakao, refresh one tab at a time, tell every tab about a logout.
// The service keeps the tokens in HttpOnly cookies; this module never sees one.

const KAKAO_AUTHORIZE_URL = "https://kauth.kakao.com/oauth/authorize";
/** The longest a tab waits for another tab's refresh: a lock left by a frozen tab must not hold the others. */
const LOCK_WAIT_LIMIT_MS = 10_000;
const PENDING_LOGIN_PREFIX = "kakao-auth:login:";
/** What Kakao appends to the redirect URI; none of it means anything to the page once handled. */
const KAKAO_REDIRECT_PARAMETERS = ["code", "state", "error", "error_description"];
const ANNOUNCED = new Set(["login", "logout", "refresh_failed"]);
/** Tabs tell each other about a refresh so that one refresh serves all of them; listeners never see it. */
const REFRESHED = "refreshed";

/**
 * @param {import("./kakao-auth").KakaoAuthOptions} options
 * @param {import("./kakao-auth").KakaoAuthEnvironment} [environment] stand-ins for the browser's globals
 * @returns {import("./kakao-auth").KakaoAuth}
 */
export function createKakaoAuth(options, environment = {}) {
  const config = readOptions(options);
  const env = environmentFrom(environment);
  const session = { version: 0, signedIn: false };
  const stats = { refreshes: 0 };
  // The name of both the channel and the lock: clients of another kakao-auth on this origin keep apart.
  const name = `kakao-auth ${config.authOrigin}`;
  const changes = changeChannel(env.BroadcastChannel, name, noteChange);
  const inTurn = (task) => withLock(env.locks, name, config.lockTimeoutMs, task);
  const renew = singleFlight((seen) => inTurn((waited) => renewUnlessDone(seen, waited)));

  /** Every change to the cookies this tab learns of, here or from another tab. */
  function noteChange(type) {
    session.version += 1;
    session.signedIn = type === "login" || type === REFRESHED;
  }

  function announce(event) {
    noteChange(event.type);
    changes.publish(event);
  }

  function call(path, init) {
    return env.fetch(new Request(config.authOrigin + path, { credentials: "include", ...init }));
  }

  async function login({ scope, prompt, nonce } = {}) {
    const state = randomToken(env.crypto);
    const verifier = randomToken(env.crypto);
    const url = new URL(config.kakaoAuthorizeUrl);
    const parameters = {
      client_id: config.clientId, redirect_uri: config.redirectUri, response_type: "code", state,
      code_challenge: await s256(verifier, env.crypto), code_challenge_method: "S256", scope, prompt, nonce,
    };
    for (const [name, value] of Object.entries(parameters)) {
      if (value !== undefined) url.searchParams.set(name, value);
    }
    // Keyed by state, so that only a redirect carrying a state this tab made finds a verifier.
    env.sessionStorage.setItem(PENDING_LOGIN_PREFIX + state, verifier);
    env.location.assign(url.href);
  }

  async function handleRedirect() {
    const url = new URL(env.location.href);
    if (!isRedirectFromKakao(url, config.redirectUri)) return null;
    const parameters = new URLSearchParams(url.search);
    // First of all, so that a reload or a copied address never offers the code again.
    clearRedirectParameters(url, env.history);
    const verifier = takePendingLogin(env.sessionStorage, parameters.get("state"));
    const kakaoError = parameters.get("error");
    if (kakaoError !== null) {
      throw authError(kakaoError, `Kakao did not log the user in: ${parameters.get("error_description") ?? kakaoError}`);
    }
    if (verifier === null) throw authError("invalid_state", "the redirect's state is missing or was not made by this tab");
    // In turn with the refreshes: one that another tab has refused meanwhile would clear this login's cookies.
    const answer = await inTurn(() => call("/auth/kakao", jsonPost({
      code: parameters.get("code"), redirect_uri: config.redirectUri, code_verifier: verifier,
    })));
    if (!answer.ok) throw await problemError(answer);
    const { user } = await answer.json();
    announce({ type: "login", user });
    return user;
  }

  async function authorizedFetch(input, init) {
    const request = new Request(input, { credentials: "include", ...init });
    // Cloned before the first send: a body, a stream above all, can be read only once.
    const replay = request.clone();
    const seen = session.version;
    const answer = await env.fetch(request);
    if (!(await isExpiredAccess(answer))) return answer;
    return (await renew(seen)) ? env.fetch(replay) : answer;
  }

  /**
   * Whether the cookies are good now. `seen` is the version the failed request went out with: anything
   * since (this tab's refresh, another tab's, a login or logout) already answers it.
   */
  async function renewUnlessDone(seen, waited) {
    if (session.version !== seen) return session.signedIn;
    // A tab that waited for the lock most likely waited for another tab's refresh, whose message may
    // still be on its way: the cookies themselves tell.
    if (waited && (await accessWorks())) return true;
    return refresh();
  }

  async function accessWorks() {
    try {
      return (await call("/users/me")).ok;
    } catch {
      return false;
    }
  }

  async function refresh() {
    stats.refreshes += 1;
    let answer;
    try {
      answer = await call("/auth/refresh", { method: "POST" });
    } catch {
      // The network failed, not the session: the caller gets its 401 and may try again later.
      return false;
    }
    if (answer.ok) {
      announce({ type: REFRESHED });
      return true;
    }
    if (isRefusal(answer.status)) announce({ type: "refresh_failed" });
    return false;
  }

  async function user() {
    const answer = await authorizedFetch(config.authOrigin + "/users/me");
    if (answer.status === 401) return null;
    if (!answer.ok) throw await problemError(answer);
    return answer.json();
  }

  async function logout({ everywhere = false } = {}) {
    const answer = await call("/auth/logout", everywhere ? jsonPost({ all_sessions: true }) : { method: "POST" });
    if (answer.ok) {
      announce({ type: "logout" });
      return;
    }
    const error = await problemError(answer);
    if (answer.status !== 401) throw error;
    // The session was already over (or is revoked now, as reuse): this tab is signed out all the same,
    // but the user's other sessions, which `everywhere` asked to end, are untouched.
    announce({ type: "logout" });
    if (everywhere) throw error;
  }

  function onChange(listener) {
    if (typeof listener !== "function") throw new TypeError("onChange needs a function");
    return changes.subscribe(listener);
  }

  return {
    login, handleRedirect, fetch: authorizedFetch, user, logout, onChange,
    get stats() { return { ...stats }; },
  };
}

function readOptions({ authUrl, clientId, redirectUri, kakaoAuthorizeUrl = KAKAO_AUTHORIZE_URL, lockTimeoutMs = LOCK_WAIT_LIMIT_MS } = {}) {
  const auth = absoluteURL(authUrl, "authUrl");
  if (auth.pathname !== "/" || auth.search !== "" || auth.hash !== "") {
    throw new TypeError("authUrl must be the service's origin, e.g. https://auth.example.com: its refresh cookie has Path=/auth");
  }
  if (typeof clientId !== "string" || clientId === "") throw new TypeError("clientId must be the app's Kakao REST API key");
  absoluteURL(redirectUri, "redirectUri");
  if (!(typeof lockTimeoutMs === "number" && lockTimeoutMs > 0)) throw new TypeError("lockTimeoutMs must be a positive number");
  return {
    authOrigin: auth.origin,
    clientId,
    // As given, never normalised: the service and Kakao compare it byte for byte.
    redirectUri,
    kakaoAuthorizeUrl: absoluteURL(kakaoAuthorizeUrl, "kakaoAuthorizeUrl").href,
    lockTimeoutMs: Math.min(lockTimeoutMs, LOCK_WAIT_LIMIT_MS),
  };
}

function absoluteURL(value, name) {
  try {
    return new URL(value);
  } catch {
    throw new TypeError(`${name} must be an absolute URL`);
  }
}

/** The globals, read when used: `sessionStorage` throws in some sandboxed frames, and only logins need it. */
function environmentFrom(given) {
  const chosen = (name, fallback) => (given[name] === undefined ? fallback() : given[name]);
  return {
    fetch: given.fetch ?? ((request) => globalThis.fetch(request)),
    locks: chosen("locks", () => globalThis.navigator?.locks ?? null),
    BroadcastChannel: chosen("BroadcastChannel", () => globalThis.BroadcastChannel ?? null),
    get sessionStorage() { return given.sessionStorage ?? globalThis.sessionStorage; },
    get location() { return given.location ?? globalThis.location; },
    get history() { return given.history ?? globalThis.history; },
    get crypto() { return given.crypto ?? globalThis.crypto; },
  };
}

// MARK: the login

function randomToken(crypto) {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

async function s256(verifier, crypto) {
  if (crypto.subtle === undefined) throw new TypeError("PKCE needs crypto.subtle, which browsers offer only on https and localhost");
  return base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
}

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Kakao allows no query string in a redirect URI, so its origin and path say which page it is. */
function isRedirectFromKakao(url, redirectUri) {
  const expected = new URL(redirectUri);
  return url.origin === expected.origin && url.pathname === expected.pathname
    && (url.searchParams.has("code") || url.searchParams.has("error"));
}

function clearRedirectParameters(url, history) {
  const cleared = new URL(url);
  for (const name of KAKAO_REDIRECT_PARAMETERS) cleared.searchParams.delete(name);
  history.replaceState(history.state, "", cleared.href);
}

/** The verifier of this tab's login with `state`, used once. */
function takePendingLogin(storage, state) {
  if (state === null || state === "") return null;
  const key = PENDING_LOGIN_PREFIX + state;
  const verifier = storage.getItem(key);
  storage.removeItem(key);
  return verifier;
}

function jsonPost(body) {
  return { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
}

// MARK: answers and errors

/** A 401 `invalid_token` is the one answer a refresh can mend; read from a copy, so the caller still can. */
async function isExpiredAccess(response) {
  if (response.status !== 401) return false;
  return (await readProblem(response.clone()))?.code === "invalid_token";
}

/**
 * A 4xx refresh answer means only a new login helps (401 `refresh_token_invalid` or `_reused`, 400
 * `duplicate_cookie`, whose cookies are cleared, 403 `csrf_rejected`); a time-out, a rate limit or a 5xx
 * is passing trouble, after which the session may well still be good.
 */
function isRefusal(status) {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

async function readProblem(response) {
  try {
    const body = await response.json();
    return body !== null && typeof body === "object" ? body : null;
  } catch {
    return null;
  }
}

async function problemError(response) {
  const problem = await readProblem(response);
  const code = typeof problem?.code === "string" ? problem.code : "unexpected_response";
  const message = typeof problem?.detail === "string" ? problem.detail : `kakao-auth answered ${response.status}`;
  return authError(code, message, { status: response.status, problem });
}

function authError(code, message, details = {}) {
  return Object.assign(new Error(message), { code }, details);
}

// MARK: coordination

/** One promise for concurrent callers, and a new one once it has settled. */
function singleFlight(task) {
  let inFlight = null;
  return (...args) => {
    inFlight ??= task(...args).finally(() => { inFlight = null; });
    return inFlight;
  };
}

/**
 * Runs `task(waited)` holding the Web Lock `name`, or without it where the browser has no Web Locks or
 * the wait outlasts `limitMs`: the server's reuse interval keeps a refresh beside another one safe, while
 * waiting on a lock that a frozen tab holds would stall this tab for as long.
 */
async function withLock(locks, name, limitMs, task) {
  if (locks === null) return task(false);
  const free = await locks.request(name, { ifAvailable: true }, async (lock) => lock && { value: await task(false) });
  if (free) return free.value;
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), limitMs);
  let granted = false;
  try {
    return await locks.request(name, { signal: timeout.signal }, () => {
      granted = true;
      clearTimeout(timer);
      return task(true);
    });
  } catch (error) {
    if (granted) throw error;
    return task(true);
  } finally {
    clearTimeout(timer);
  }
}

/** Listeners in this tab, and the same events for the other tabs of the origin where BroadcastChannel exists. */
function changeChannel(BroadcastChannelClass, name, noteRemoteChange) {
  const listeners = new Set();
  const channel = BroadcastChannelClass === null ? null : new BroadcastChannelClass(name);

  function notify(event) {
    if (!ANNOUNCED.has(event.type)) return;
    const change = Object.freeze(event.type === "login" ? { type: event.type, user: event.user } : { type: event.type });
    for (const listener of [...listeners]) {
      try {
        listener(change);
      } catch (error) {
        // Reported as any uncaught error, without keeping the other listeners from hearing of it.
        queueMicrotask(() => { throw error; });
      }
    }
  }

  if (channel !== null) {
    channel.onmessage = ({ data }) => {
      if (data === null || typeof data !== "object" || !(ANNOUNCED.has(data.type) || data.type === REFRESHED)) return;
      noteRemoteChange(data.type);
      notify(data);
    };
  }

  return {
    publish(event) {
      channel?.postMessage(event);
      notify(event);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => { listeners.delete(listener); };
    },
  };
}
