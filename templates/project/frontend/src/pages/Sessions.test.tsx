import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type AuthSession, Sessions, sessionName } from "./Sessions";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const CURRENT: AuthSession = {
  id: "00000000-0000-4000-8000-000000000001",
  created_at: "2026-12-01T09:00:00Z",
  refreshed_at: "2026-12-07T09:00:00Z",
  expires_at: "2026-12-21T09:00:00Z",
  ip: "203.0.113.7",
  user_agent: "Laptop browser",
  current: true,
};
const PHONE: AuthSession = {
  ...CURRENT,
  id: "00000000-0000-4000-8000-000000000002",
  created_at: "2026-12-02T10:00:00Z",
  ip: null,
  user_agent: "Phone browser",
  current: false,
};

/** The backend: the sessions listed, and every request the page sends. */
function backend(...lists: AuthSession[][]) {
  const calls: string[] = [];
  let listed = 0;
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      const path = new URL(request.url).pathname;
      calls.push(`${request.method} ${path}`);
      if (request.method === "GET") {
        const body = lists[Math.min(listed++, lists.length - 1)];
        return Response.json(body);
      }
      if (path.endsWith("/logout/others")) return Response.json({ revoked: 1 });
      return new Response(null, { status: 204 });
    }),
  );
  return calls;
}

function renderPage() {
  render(
    <QueryClientProvider client={new QueryClient()}>
      <MemoryRouter>
        <Sessions />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

describe("Sessions", () => {
  it("lists the sessions in a captioned table with the current one marked", async () => {
    backend([CURRENT, PHONE]);
    renderPage();
    const table = await screen.findByRole("table", { name: "Your sessions" });
    const headers = within(table)
      .getAllByRole("columnheader")
      .map((header) => header.textContent);
    expect(headers).toEqual([
      "Browser",
      "Address",
      "Signed in",
      "Last refreshed",
      "Expires",
      "Actions",
    ]);
    const rows = within(table).getAllByRole("row");
    expect(rows).toHaveLength(3);
    expect(within(rows[1] as HTMLElement).getByText("This session")).toBeTruthy();
    expect(within(rows[2] as HTMLElement).getByText("Unknown")).toBeTruthy();
    // Only the other session can be signed out from here.
    expect(screen.getAllByRole("button", { name: /^Sign out the session/ })).toHaveLength(1);
    expect(screen.getByRole("button", { name: `Sign out ${sessionName(PHONE)}` })).toBeTruthy();
  });

  it("signs out another session once confirmed, then lists again", async () => {
    const calls = backend([CURRENT, PHONE], [CURRENT]);
    renderPage();
    fireEvent.click(await screen.findByRole("button", { name: `Sign out ${sessionName(PHONE)}` }));
    expect(calls).toEqual(["GET /api/v1/auth/sessions"]);
    fireEvent.click(screen.getByRole("button", { name: "Confirm sign out" }));
    await waitFor(() => expect(screen.getAllByRole("row")).toHaveLength(2));
    expect(calls).toEqual([
      "GET /api/v1/auth/sessions",
      `DELETE /api/v1/auth/sessions/${PHONE.id}`,
      "GET /api/v1/auth/sessions",
    ]);
    // Nothing else to sign out: the button for the others is gone.
    expect(screen.queryByRole("button", { name: "Sign out all other sessions" })).toBeNull();
  });

  it("signs out every other session at once", async () => {
    const calls = backend([CURRENT, PHONE], [CURRENT]);
    renderPage();
    fireEvent.click(await screen.findByRole("button", { name: "Sign out all other sessions" }));
    fireEvent.click(screen.getByRole("button", { name: "Confirm sign out" }));
    await waitFor(() => expect(calls).toContain("POST /api/v1/auth/logout/others"));
    await waitFor(() => expect(screen.getAllByRole("row")).toHaveLength(2));
  });
});
