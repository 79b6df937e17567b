// Test support for an organization's pages: a stand-in for the backend that
// records what the page asks, and the page rendered at its route.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { MemoryRouter, Route, Routes } from "react-router";
import { vi } from "vitest";
import { ROLES } from "../generated/app";

/** The organization the pages show, where the caller has the top role. */
export const ORG = { id: "00000000-0000-4000-8000-0000000000aa", name: "Acme", role: ROLES[0] };

/** The answer to one request (by method and path), or undefined for a 404. */
export type Answer = (method: string, path: string) => Response | undefined;

/** Stub `fetch`: the organizations list ORG, other requests get `answer`'s.
 * Returns the requests sent, as "METHOD /path?query body". */
export function stubBackend(answer: Answer): string[] {
  const calls: string[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      const url = new URL(request.url);
      const body = request.method === "GET" ? "" : ` ${await request.text()}`;
      calls.push(`${request.method} ${url.pathname}${url.search}${body}`);
      if (url.pathname === "/api/v1/orgs") return Response.json([ORG]);
      return (
        answer(request.method, url.pathname) ??
        Response.json({ detail: "Not Found" }, { status: 404 })
      );
    }),
  );
  return calls;
}

/** Render `page` at /orgs/ORG/settings/`name`. */
export function renderOrgPage(name: string, page: ReactElement): void {
  const path = `/orgs/:orgId/settings/${name}`;
  render(
    <QueryClientProvider client={new QueryClient()}>
      <MemoryRouter initialEntries={[`/orgs/${ORG.id}/settings/${name}`]}>
        <Routes>
          <Route path={path} element={page} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}
