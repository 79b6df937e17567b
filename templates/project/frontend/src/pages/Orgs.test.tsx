import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Orgs } from "./Orgs";

// The page, not the session: cookie mode whatever the spec says, so that no
// refresh call comes before the page's own (client.bearer.test.ts tests that).
vi.mock("../generated/app", async (original) => ({
  ...(await original<typeof import("../generated/app")>()),
  COOKIE_MODE: true,
}));

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const ORG = { id: "00000000-0000-4000-8000-0000000000aa", name: "Acme", role: "owner" };

function backend(created: Response) {
  const posted: string[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      if (request.method === "GET") return Response.json([ORG]);
      posted.push(await request.text());
      return created;
    }),
  );
  return posted;
}

function renderPage() {
  render(
    <QueryClientProvider client={new QueryClient()}>
      <MemoryRouter initialEntries={["/orgs"]}>
        <Routes>
          <Route path="/orgs" element={<Orgs />} />
          <Route path="/orgs/:orgId" element={<p>Opened the new organization</p>} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

describe("Orgs", () => {
  it("lists the organizations and opens the one it creates", async () => {
    const posted = backend(Response.json({ ...ORG, id: "new-org" }, { status: 201 }));
    renderPage();
    expect(await screen.findByRole("link", { name: "Acme" })).toBeTruthy();
    fireEvent.change(screen.getByLabelText("Name"), { target: { value: "Beta" } });
    fireEvent.click(screen.getByRole("button", { name: "Create organization" }));
    expect(await screen.findByText("Opened the new organization")).toBeTruthy();
    expect(posted).toEqual(['{"name":"Beta"}']);
  });

  it("shows the API's error next to the name", async () => {
    const invalid = Response.json(
      { detail: [{ loc: ["body", "name"], msg: "Name is too long", type: "string_too_long" }] },
      { status: 422 },
    );
    backend(invalid);
    renderPage();
    fireEvent.change(await screen.findByLabelText("Name"), { target: { value: "x" } });
    fireEvent.click(screen.getByRole("button", { name: "Create organization" }));
    await waitFor(() => expect(screen.getByText("Name is too long")).toBeTruthy());
    expect(screen.getByLabelText("Name").getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByRole("alert")).toBeTruthy();
  });
});
