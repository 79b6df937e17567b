import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// Bearer mode, whatever the spec says (client.test.ts tests cookie mode).
vi.mock("../generated/app", async (original) => ({
  ...(await original<typeof import("../generated/app")>()),
  COOKIE_MODE: false,
}));

type Answer = [status: number, body?: unknown];

/** Each test starts as a fresh page load: the module's memory is new. */
let send: (request: Request) => Promise<Response>;
beforeEach(async () => {
  vi.resetModules();
  ({ send } = await import("./client"));
});

afterEach(() => {
  vi.unstubAllGlobals();
});

function answers(...list: Answer[]) {
  const calls: Request[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      calls.push(request);
      const [status, body] = list[calls.length - 1] ?? [500];
      return new Response(body === undefined ? null : JSON.stringify(body), { status });
    }),
  );
  return calls;
}

const tokens = (access: string) => ({ access_token: access, refresh_token: "", expires_in: 600 });
const url = (path: string) => `http://localhost/api/v1${path}`;
const paths = (calls: Request[]) => calls.map((call) => new URL(call.url).pathname);

describe("send in bearer mode", () => {
  it("restores the session on page load with one refresh, then sends the token", async () => {
    const calls = answers([200, tokens("a1")], [200, {}], [200, {}]);
    expect((await send(new Request(url("/auth/me")))).status).toBe(200);
    await send(new Request(url("/orgs")));
    expect(paths(calls)).toEqual(["/api/v1/auth/refresh", "/api/v1/auth/me", "/api/v1/orgs"]);
    expect(calls[0]?.headers.get("X-Refresh-Cookie")).toBe("1");
    expect(calls[0]?.body).toBeNull();
    expect(calls[1]?.headers.get("Authorization")).toBe("Bearer a1");
    expect(calls[2]?.headers.get("Authorization")).toBe("Bearer a1");
  });

  it("refreshes only once for a visitor who is not signed in", async () => {
    const calls = answers([401, { status: 401 }], [401, { status: 401 }], [401, { status: 401 }]);
    expect((await send(new Request(url("/auth/me")))).status).toBe(401);
    expect((await send(new Request(url("/orgs")))).status).toBe(401);
    expect(paths(calls)).toEqual(["/api/v1/auth/refresh", "/api/v1/auth/me", "/api/v1/orgs"]);
    expect(calls[1]?.headers.get("Authorization")).toBeNull();
  });

  it("keeps the token of a sign-in in memory, never in storage, and forgets it on sign-out", async () => {
    const calls = answers([200, tokens("t1")], [200, {}], [204], [401, { status: 401 }]);
    const login = new Request(url("/auth/login"), { method: "POST", body: "{}" });
    expect((await send(login)).status).toBe(200);
    expect(calls[0]?.headers.get("X-Refresh-Cookie")).toBe("1");
    await send(new Request(url("/orgs")));
    expect(calls[1]?.headers.get("Authorization")).toBe("Bearer t1");
    expect(calls[1]?.headers.get("X-CSRF-Token")).toBeNull();
    expect(localStorage.length + sessionStorage.length).toBe(0);
    await send(new Request(url("/auth/logout"), { method: "POST" }));
    expect(calls[2]?.headers.get("Authorization")).toBe("Bearer t1");
    await send(new Request(url("/orgs")));
    expect(calls[3]?.headers.get("Authorization")).toBeNull();
    expect(paths(calls)).toHaveLength(4);
  });

  it("refreshes an expired token once and retries with the new one", async () => {
    const calls = answers(
      [200, tokens("old")],
      [401, { status: 401 }],
      [200, tokens("new")],
      [200, {}],
    );
    await send(new Request(url("/auth/login"), { method: "POST", body: "{}" }));
    const response = await send(new Request(url("/orgs"), { method: "POST", body: "{}" }));
    expect(response.status).toBe(200);
    expect(paths(calls)).toEqual([
      "/api/v1/auth/login",
      "/api/v1/orgs",
      "/api/v1/auth/refresh",
      "/api/v1/orgs",
    ]);
    expect(calls[3]?.headers.get("Authorization")).toBe("Bearer new");
    expect(await calls[3]?.text()).toBe("{}");
  });

  it("does not take a second-factor challenge for a token", async () => {
    const calls = answers([200, { challenge_token: "c" }], [401, { status: 401 }], [401]);
    await send(new Request(url("/auth/login"), { method: "POST", body: "{}" }));
    await send(new Request(url("/auth/me")));
    expect(paths(calls)).toEqual(["/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/me"]);
    expect(calls[2]?.headers.get("Authorization")).toBeNull();
  });
});
