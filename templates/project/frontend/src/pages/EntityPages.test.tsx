// The entity pages, on a made-up entity (the spec's own ones vary): the list is
// the shared captioned table with the role's buttons only, and the form shows
// the API's field errors next to their fields.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ROLES, type Role } from "../generated/app";
import type { EntityMeta } from "../lib/entities";
import { EntityEdit } from "./EntityEdit";
import { EntityList } from "./EntityList";

const TOP = ROLES[0] as Role;
const LOWEST = ROLES[ROLES.length - 1] as Role;

vi.mock("../generated/entities", async () => {
  const { ROLES } = await import("../generated/app");
  const top = ROLES[0] as Role;
  const lowest = ROLES[ROLES.length - 1] as Role;
  const note: EntityMeta = {
    name: "Note",
    route: "notes",
    label: "Note",
    pluralLabel: "Notes",
    feature: null,
    permissions: { read: lowest, create: top, update: top, delete: top },
    fields: [
      { name: "title", label: "Title", type: "string", required: true, nullable: false },
      { name: "done", label: "Done", type: "boolean", required: false, nullable: false },
    ],
    title: "title",
    columns: ["title", "done"],
  };
  return { ENTITIES: [note] };
});

const ORG = "00000000-0000-4000-8000-0000000000aa";
const ROW = { id: "00000000-0000-4000-8000-0000000000bb", title: "Buy milk", done: false };

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

/** The backend: the caller's role in ORG, the notes listed, and an answer to writes. */
function backend(role: Role, items: object[], write?: Response) {
  const calls: string[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      const url = new URL(request.url);
      const body = request.method === "GET" ? "" : ` ${await request.text()}`;
      calls.push(`${request.method} ${url.pathname}${body}`);
      if (url.pathname === "/api/v1/orgs") {
        return Response.json([{ id: ORG, name: "Org", created_at: ROW.id, role }]);
      }
      if (request.method === "GET") {
        return Response.json({ items, total: items.length, limit: 20, offset: 0 });
      }
      return write ?? Response.json(ROW, { status: 201 });
    }),
  );
  return calls;
}

function renderAt(path: string) {
  render(
    <QueryClientProvider client={new QueryClient()}>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route path="/orgs/:orgId/:route" element={<EntityList />} />
          <Route path="/orgs/:orgId/:route/:rowId" element={<EntityEdit />} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

describe("EntityList", () => {
  it("shows the rows in a captioned table, with the buttons the role may use", async () => {
    backend(TOP, [ROW]);
    renderAt(`/orgs/${ORG}/notes`);
    const table = await screen.findByRole("table", { name: "Notes" });
    const headers = within(table)
      .getAllByRole("columnheader")
      .map((header) => header.textContent);
    expect(headers).toEqual(["Title", "Done", "Actions"]);
    expect(within(table).getByRole("cell", { name: "Buy milk" })).toBeTruthy();
    expect(screen.getByRole("link", { name: /^Edit ?Buy milk$/ })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Delete Buy milk" })).toBeTruthy();
    expect(screen.getByRole("link", { name: "New note" })).toBeTruthy();
    expect(screen.getByRole("navigation", { name: "Pages" }).textContent).toContain("1–1 of 1");
  });

  it.skipIf(ROLES.length < 2)("hides what the lowest role may not do", async () => {
    backend(LOWEST, [ROW]);
    renderAt(`/orgs/${ORG}/notes`);
    const table = await screen.findByRole("table", { name: "Notes" });
    expect(within(table).getAllByRole("columnheader")).toHaveLength(2);
    expect(screen.queryByRole("link", { name: /^Edit/ })).toBeNull();
    expect(screen.queryByRole("button", { name: /^Delete/ })).toBeNull();
    expect(screen.queryByRole("link", { name: "New note" })).toBeNull();
  });

  it("says so when there are no rows", async () => {
    backend(TOP, []);
    renderAt(`/orgs/${ORG}/notes`);
    expect(await screen.findByText("Nothing here yet.")).toBeTruthy();
    expect(screen.queryByRole("table")).toBeNull();
  });

  it("deletes a row once confirmed", async () => {
    const calls = backend(TOP, [ROW], new Response(null, { status: 204 }));
    renderAt(`/orgs/${ORG}/notes`);
    fireEvent.click(await screen.findByRole("button", { name: "Delete Buy milk" }));
    fireEvent.click(screen.getByRole("button", { name: "Confirm delete" }));
    await waitFor(() => expect(calls).toContain(`DELETE /api/v1/orgs/${ORG}/notes/${ROW.id} `));
  });
});

describe("EntityEdit", () => {
  it("creates a row, and shows the API's field errors next to their fields", async () => {
    const invalid = Response.json(
      { detail: [{ loc: ["body", "title"], msg: "Title is taken", type: "value_error" }] },
      { status: 422 },
    );
    const calls = backend(TOP, [], invalid);
    renderAt(`/orgs/${ORG}/notes/new`);
    expect(await screen.findByRole("heading", { name: "New note" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Cancel" })).toBeTruthy();
    fireEvent.change(screen.getByLabelText("Title"), { target: { value: "Buy milk" } });
    fireEvent.click(screen.getByRole("button", { name: "Create" }));
    expect(await screen.findByText("Title is taken")).toBeTruthy();
    expect(screen.getByRole("alert").textContent).toBe("Please correct the highlighted fields.");
    expect(screen.getByLabelText("Title").getAttribute("aria-invalid")).toBe("true");
    expect(calls.filter((call) => call.startsWith("POST"))).toEqual([
      `POST /api/v1/orgs/${ORG}/notes {"title":"Buy milk","done":false}`,
    ]);
  });

  it.skipIf(ROLES.length < 2)("refuses a role that may not create", async () => {
    backend(LOWEST, []);
    renderAt(`/orgs/${ORG}/notes/new`);
    expect(await screen.findByText(`Your role (${LOWEST}) may not do this.`)).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Create" })).toBeNull();
  });
});
