// The API client. Sessions live in the backend's httpOnly cookies: no token is
// ever readable by scripts or kept in storage. Unsafe requests carry the CSRF
// header (the double-submit cookie), and a 401 refreshes the session once.
import createClient from "openapi-fetch";
import { ApiError, apiErrorFrom, problemFrom } from "./errors";
import type { paths } from "./schema";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);
const REFRESH = "/api/v1/auth/refresh";
// A 401 from these means wrong credentials, not an expired access token.
const NO_REFRESH = /^\/api\/v1\/auth\/(login|register|refresh|logout|token|totp\/verify)$/;

export function csrfToken(): string | undefined {
  const match = document.cookie.match(/(?:^|; )csrf_token=([^;]*)/);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

function withCsrf(request: Request): Request {
  if (!SAFE_METHODS.has(request.method.toUpperCase())) {
    const token = csrfToken();
    if (token) request.headers.set("X-CSRF-Token", token);
  }
  return request;
}

let refreshing: Promise<boolean> | null = null;

/** Trade the refresh cookie for new session cookies; one attempt at a time. */
function refreshSession(): Promise<boolean> {
  refreshing ??= fetch(
    withCsrf(
      new Request(new URL(REFRESH, origin()), { method: "POST", credentials: "same-origin" }),
    ),
  )
    .then(async (response) => {
      await discard(response);
      return response.ok;
    })
    .catch(() => false)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

/** fetch with the CSRF header and one refresh on 401 (never for auth calls). */
export async function send(request: Request): Promise<Response> {
  const retry = request.clone();
  const response = await fetch(withCsrf(request));
  if (response.status !== 401 || NO_REFRESH.test(new URL(request.url).pathname)) return response;
  if (!(await refreshSession())) return response;
  await discard(response);
  return fetch(withCsrf(retry));
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
