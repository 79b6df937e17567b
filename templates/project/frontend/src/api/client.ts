// The API client. No token is ever kept in storage, in either mode the spec
// chooses (auth.cookie_mode):
// - cookie mode: the session lives in the backend's httpOnly cookies; unsafe
//   requests carry the CSRF header (the double-submit cookie);
// - bearer mode: the access token lives in this module's memory only and goes
//   out as `Authorization: Bearer`; the refresh token lives in the backend's
//   httpOnly refresh cookie, which it sets and reads only for requests with
//   the X-Refresh-Cookie header. A page load restores the session with one
//   refresh.
// In both, a 401 refreshes the session once and retries.
import createClient from "openapi-fetch";
import { COOKIE_MODE } from "../generated/app";
import { ApiError, apiErrorFrom, problemFrom } from "./errors";
import type { paths } from "./schema";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);
const REFRESH = "/api/v1/auth/refresh";
// A 401 from these means wrong credentials, not an expired access token.
const NO_REFRESH = /^\/api\/v1\/auth\/(login|register|refresh|token|totp\/verify)$/;
// Bearer mode: the answers of these carry a new access token.
const SIGN_IN = /^\/api\/v1\/auth\/(login|refresh|totp\/verify)$/;
const SIGN_OUT = "/api/v1/auth/logout";

export function csrfToken(): string | undefined {
  const match = document.cookie.match(/(?:^|; )csrf_token=([^;]*)/);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

// Bearer mode: the access token, in memory only (a reload forgets it).
let accessToken: string | null = null;

/** The headers that authenticate a request of `method` (also for uploads). */
export function authHeaders(method: string): Record<string, string> {
  if (!COOKIE_MODE) return accessToken ? { Authorization: `Bearer ${accessToken}` } : {};
  const token = SAFE_METHODS.has(method.toUpperCase()) ? undefined : csrfToken();
  return token ? { "X-CSRF-Token": token } : {};
}

function authenticated(request: Request): Request {
  for (const [name, value] of Object.entries(authHeaders(request.method))) {
    request.headers.set(name, value);
  }
  if (!COOKIE_MODE && SIGN_IN.test(new URL(request.url).pathname)) {
    request.headers.set("X-Refresh-Cookie", "1");
  }
  return request;
}

/** Bearer mode: keep the access token of a sign-in or refresh answer. */
async function keepToken(response: Response): Promise<void> {
  const body = (await response.json().catch(() => null)) as { access_token?: unknown } | null;
  if (typeof body?.access_token === "string") accessToken = body.access_token;
}

let refreshing: Promise<boolean> | null = null;

/** Trade the refresh cookie for a new session; one attempt at a time. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= fetch(
    authenticated(
      new Request(new URL(REFRESH, origin()), { method: "POST", credentials: "same-origin" }),
    ),
  )
    .then(async (response) => {
      if (COOKIE_MODE || !response.ok) await discard(response);
      else await keepToken(response);
      return response.ok;
    })
    .catch(() => false)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

let restored: Promise<boolean> | null = null;

/** Bearer mode: the first call of a page load restores the session (one refresh). */
function restoreOnce(): Promise<boolean> {
  restored ??= accessToken ? Promise.resolve(true) : refreshSession();
  return restored;
}

/** fetch with the credentials and one refresh on 401 (never for auth calls). */
export async function send(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname;
  const authCall = NO_REFRESH.test(path);
  if (!COOKIE_MODE && !authCall) await restoreOnce();
  const retry = request.clone();
  const hadToken = accessToken !== null;
  const response = await fetch(authenticated(request));
  if (!COOKIE_MODE) {
    if (SIGN_IN.test(path) && response.ok) await keepToken(response.clone());
    if (path === SIGN_OUT) accessToken = null;
  }
  if (response.status !== 401 || authCall) return response;
  // Bearer mode without a token: nobody is signed in, nothing to refresh.
  if (!COOKIE_MODE && !hadToken) return response;
  if (!(await refreshSession())) return response;
  await discard(response);
  const again = await fetch(authenticated(retry));
  if (!COOKIE_MODE && path === SIGN_OUT) accessToken = null;
  return again;
}

/** Read to its end a response nobody else reads (a problem body of a few bytes):
 * until then the browser counts its request as in flight, and a page never idles. */
async function discard(response: Response): Promise<void> {
  await response.arrayBuffer().catch(() => undefined);
}

function origin(): string {
  return globalThis.location?.origin ?? "http://localhost";
}

/** The typed client: paths and bodies checked against the backend's OpenAPI. */
export const api = createClient<paths>({
  baseUrl: origin(),
  credentials: "same-origin",
  fetch: send,
});

/** The data of a typed call, or its error thrown as an ApiError. */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) {
    throw problemFrom(response.status, error ?? null, response.statusText || "Request failed");
  }
  return data as T;
}

/** An untyped JSON call, for the entity pages whose paths come from the spec. */
export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: "same-origin" };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { "Content-Type": "application/json" };
  }
  const response = await send(new Request(new URL(path, origin()), init));
  if (!response.ok) throw await apiErrorFrom(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export { ApiError };
