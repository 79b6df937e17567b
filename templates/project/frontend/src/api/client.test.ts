import { afterEach, describe, expect, it, vi } from "vitest";
import { send } from "./client";

// Cookie mode, whatever the spec says (client.bearer.test.ts tests bearer mode).
vi.mock("../generated/app", async (original) => ({
  ...(await original<typeof import("../generated/app")>()),
  COOKIE_MODE: true,
}));

afterEach(() => {
  vi.unstubAllGlobals();
  // biome-ignore lint/suspicious/noDocumentCookie: the test plays the backend's Set-Cookie
  document.cookie = "csrf_token=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/";
});

const sent: Response[] = [];

function answers(...statuses: number[]) {
  const calls: Request[] = [];
  sent.length = 0;
  const fetch = vi.fn(async (request: Request) => {
    calls.push(request);
    const status = statuses[calls.length - 1] ?? 500;
    const response = new Response(status === 401 ? '{"status":401}' : null, { status });
    sent.push(response);
    return response;
  });
  vi.stubGlobal("fetch", fetch);
  return calls;
}

describe("send", () => {
  it("refreshes the session once on 401 and retries", async () => {
    const calls = answers(401, 200, 200);
    const response = await send(new Request("http://localhost/api/v1/auth/me"));
    expect(response.status).toBe(200);
    expect(calls.map((call) => new URL(call.url).pathname)).toEqual([
      "/api/v1/auth/me",
      "/api/v1/auth/refresh",
      "/api/v1/auth/me",
    ]);
  });

  it("reads the bodies it drops, so the browser does not keep their requests open", async () => {
    answers(401, 401);
    const response = await send(new Request("http://localhost/api/v1/auth/me"));
    expect(response.status).toBe(401);
    // The refresh's answer is read; the first 401 goes back to the caller unread.
    expect(sent.map((answer) => answer.bodyUsed)).toEqual([false, true]);

    answers(401, 200, 200);
    await send(new Request("http://localhost/api/v1/auth/me"));
    expect(sent.map((answer) => answer.bodyUsed)).toEqual([true, false, false]);
  });

  it("does not refresh when the credentials themselves are wrong", async () => {
    const calls = answers(401);
    const login = new Request("http://localhost/api/v1/auth/login", { method: "POST" });
    expect((await send(login)).status).toBe(401);
    expect(calls).toHaveLength(1);
  });

  it("sends the CSRF cookie's value on unsafe requests only", async () => {
    // biome-ignore lint/suspicious/noDocumentCookie: the test plays the backend's Set-Cookie
    document.cookie = "csrf_token=abc123; path=/";
    const calls = answers(200, 200);
    await send(new Request("http://localhost/api/v1/orgs", { method: "POST" }));
    await send(new Request("http://localhost/api/v1/orgs"));
    expect(calls[0]?.headers.get("X-CSRF-Token")).toBe("abc123");
    expect(calls[1]?.headers.get("X-CSRF-Token")).toBeNull();
  });
});
