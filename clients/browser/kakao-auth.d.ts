/// <reference lib="dom" />
// Types of kakao-auth.js: the browser client of the kakao-auth service (cookie delivery).

export interface KakaoAuthOptions {
  /** The service's origin, e.g. `https://auth.example.com`; no path, since its refresh cookie has `Path=/auth`. */
  authUrl: string;
  /** The app's Kakao REST API key (the service's `KAKAO_CLIENT_ID`). */
  clientId: string;
  /** The SPA's callback page, exactly as listed in `KAKAO_REDIRECT_URIS` and at Kakao (no query string). */
  redirectUri: string;
  /** Kakao's authorize endpoint; default `https://kauth.kakao.com/oauth/authorize`. The emulator's, for development. */
  kakaoAuthorizeUrl?: string;
  /**
   * How long a tab waits for another tab's refresh before refreshing without the lock, in milliseconds;
   * default and at most 10 000.
   */
  lockTimeoutMs?: number;
}

/** What `login` passes on to Kakao's authorize page. */
export interface LoginOptions {
  /** Kakao's `scope`: consent items, comma-separated (e.g. `"openid,account_email"`). */
  scope?: string;
  /** Kakao's `prompt`: `"login"`, `"none"`, `"create"` or `"select_account"`. */
  prompt?: string;
  /** Kakao's `nonce`, echoed in the id_token when `scope` includes `openid`. */
  nonce?: string;
}

export interface LogoutOptions {
  /** End every session of the user, on every device (the service's `all_sessions`). */
  everywhere?: boolean;
}

/** The service's `User` (see its openapi.yaml). */
export interface User {
  id: string;
  /** A string: Kakao ids exceed what a JavaScript number holds exactly. */
  kakao_id: string;
  nickname: string | null;
  email: string | null;
  email_verified: boolean;
  profile_image_url: string | null;
  thumbnail_image_url: string | null;
  created_at: string;
  updated_at: string;
  last_login_at: string;
  roles: string[];
  app_metadata: Record<string, unknown>;
}

/** The service's `application/problem+json` body. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
}

/**
 * What `handleRedirect`, `user` and `logout` reject with. `code` is Kakao's `error` (e.g. `access_denied`),
 * `invalid_state`, the problem's `code`, or `unexpected_response` for an answer that is not a problem.
 * `status` and `problem` are set for the service's answers (`problem` is null when there was none).
 */
export interface KakaoAuthError extends Error {
  code: string;
  status?: number;
  problem?: Problem | null;
}

/**
 * `login` and `logout`, this tab's or another's of the same origin. `refresh_failed`: the service refused
 * the refresh token (the session is over, or it was never there), so only a new login helps.
 */
export type KakaoAuthChange =
  | { readonly type: "login"; readonly user: User }
  | { readonly type: "logout" }
  | { readonly type: "refresh_failed" };

export interface KakaoAuth {
  /** Sends the browser to Kakao's authorize page with a fresh `state` and a PKCE S256 challenge. */
  login(options?: LoginOptions): Promise<void>;
  /**
   * On the redirect URI: checks `state`, posts the code and the verifier to `/auth/kakao`, removes Kakao's
   * parameters (`code`, `state`, `error`, `error_description`) from the address bar and resolves to the
   * user; `null` when the page is not Kakao's redirect (nor after the address has been cleared, so a
   * second call is harmless). Rejects with `code` Kakao's `error`, `invalid_state` (the code is then
   * never sent) or the problem's `code`.
   */
  handleRedirect(): Promise<User | null>;
  /**
   * `window.fetch` with `credentials: "include"` (unless `init` says otherwise). A 401 whose problem
   * `code` is `invalid_token` is refreshed (one refresh at a time per tab; tabs take turns through Web
   * Locks where the browser has them) and the request sent once more; a refused refresh resolves with
   * the 401 answer and announces `refresh_failed`. A refresh that fails for passing reasons (network,
   * 408, 429, 5xx) resolves with the 401 answer and announces nothing.
   */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** The signed-in user from `/users/me` (refreshing if need be), or `null`. Rejects on other errors. */
  user(): Promise<User | null>;
  /**
   * Ends this session (or, with `everywhere`, every session of the user) and announces `logout`. A session
   * that was already over counts as logged out, except that with `everywhere` the promise then rejects
   * (`refresh_token_invalid` or `refresh_token_reused`): the user's other sessions could not be ended.
   */
  logout(options?: LogoutOptions): Promise<void>;
  /** Calls `listener` on every change in this tab and the other tabs of the origin; returns an unsubscribe function. */
  onChange(listener: (change: KakaoAuthChange) => void): () => void;
  /** What this tab has done: `refreshes`, the refresh requests it sent. */
  readonly stats: { readonly refreshes: number };
}

/**
 * Stand-ins for the browser's globals, for tests and for hosts without them; each defaults to the
 * global. `null` for `locks` or `BroadcastChannel` means the browser has none.
 */
export interface KakaoAuthEnvironment {
  /** Always called with a `Request`. */
  fetch?: (request: Request) => Promise<Response>;
  locks?: Pick<LockManager, "request"> | null;
  BroadcastChannel?: (new (name: string) => Pick<BroadcastChannel, "postMessage" | "onmessage">) | null;
  sessionStorage?: Pick<Storage, "getItem" | "setItem" | "removeItem">;
  location?: { readonly href: string; assign(url: string): void };
  history?: Pick<History, "state" | "replaceState">;
  crypto?: Pick<Crypto, "getRandomValues" | "subtle">;
}

export function createKakaoAuth(options: KakaoAuthOptions, environment?: KakaoAuthEnvironment): KakaoAuth;
