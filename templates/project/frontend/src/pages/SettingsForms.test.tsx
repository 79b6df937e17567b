// The organization's settings pages whose forms are the shared `Form`: API
// keys, invitations (Members), jobs, the audit log's filter and file uploads.
// Each sends what its fields say, and shows the API's errors next to the field.
import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ROLES } from "../generated/app";
import { uploadFile } from "../lib/upload";
import { ORG, renderOrgPage, stubBackend } from "../test/orgPage";
import { ApiKeys } from "./ApiKeys";
import { AuditLog } from "./AuditLog";
import { Files } from "./Files";
import { Jobs } from "./Jobs";
import { Members } from "./Members";

// Whatever the spec says: cookie mode (no refresh call first), invitations
// and a job, so that every form is there.
vi.mock("../generated/app", async (original) => ({
  ...(await original<typeof import("../generated/app")>()),
  COOKIE_MODE: true,
  INVITATIONS: true,
  JOBS: ["purge_expired"],
}));
// jsdom's XMLHttpRequest would go to the network: the upload is a stand-in.
vi.mock("../lib/upload", () => ({ uploadFile: vi.fn() }));

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.clearAllMocks();
});

const BASE = `/api/v1/orgs/${ORG.id}`;
const LOWEST = ROLES[ROLES.length - 1] ?? "";
const EMPTY_PAGE = { items: [], total: 0, limit: 20, offset: 0, total_exact: true };
const INVALID = (field: string, msg: string) =>
  Response.json({ detail: [{ loc: ["body", field], msg, type: "value_error" }] }, { status: 422 });

/** Lists answer empty; the POST answers `write()`. */
function backend(write: () => Response) {
  return stubBackend((method, path) => {
    if (method === "POST") return write();
    if (path.endsWith("/members") || path.endsWith("/api-keys") || path.endsWith("/invitations")) {
      return Response.json([]);
    }
    if (path.startsWith(`${BASE}/jobs/`)) {
      return Response.json({ id: "job-1", name: "purge_expired", status: "finished" });
    }
    return Response.json(EMPTY_PAGE);
  });
}

const posts = (calls: string[]) => calls.filter((call) => call.startsWith("POST"));

describe("ApiKeys", () => {
  it("creates a key with the name and role given, and shows it once", async () => {
    const key = { id: "k1", name: "CI", prefix: "dk_1", role: LOWEST, key: "dk_1.secret" };
    const calls = backend(() => Response.json(key, { status: 201 }));
    renderOrgPage("api-keys", <ApiKeys />);
    fireEvent.change(await screen.findByLabelText("Key name"), { target: { value: "CI" } });
    fireEvent.change(screen.getByLabelText("Key role"), { target: { value: LOWEST } });
    fireEvent.click(screen.getByRole("button", { name: "Create API key" }));
    expect(await screen.findByDisplayValue("dk_1.secret")).toBeTruthy();
    expect(posts(calls)).toEqual([
      `POST ${BASE}/api-keys ${JSON.stringify({ name: "CI", role: LOWEST })}`,
    ]);
  });

  it("shows the API's error next to the name", async () => {
    backend(() => INVALID("name", "Name is taken"));
    renderOrgPage("api-keys", <ApiKeys />);
    fireEvent.change(await screen.findByLabelText("Key name"), { target: { value: "CI" } });
    fireEvent.click(screen.getByRole("button", { name: "Create API key" }));
    await waitFor(() => expect(screen.getByText("Name is taken")).toBeTruthy());
    expect(screen.getByLabelText("Key name").getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByRole("alert").textContent).toBe("Please correct the highlighted fields.");
  });
});

describe("Members", () => {
  it("invites an email with a role", async () => {
    const invitation = { id: "i1", email: "ada@example.com", role: LOWEST, status: "pending" };
    const calls = backend(() => Response.json(invitation, { status: 201 }));
    renderOrgPage("members", <Members />);
    fireEvent.change(await screen.findByLabelText("Email to invite"), {
      target: { value: "ada@example.com" },
    });
    fireEvent.change(screen.getByLabelText("Role"), { target: { value: LOWEST } });
    fireEvent.click(screen.getByRole("button", { name: "Send invitation" }));
    expect(await screen.findByText("Invitation sent to ada@example.com.")).toBeTruthy();
    expect(posts(calls)).toEqual([
      `POST ${BASE}/invitations ${JSON.stringify({ email: "ada@example.com", role: LOWEST })}`,
    ]);
  });

  it("shows the API's error next to the email", async () => {
    backend(() => INVALID("email", "Not a valid email"));
    renderOrgPage("members", <Members />);
    fireEvent.change(await screen.findByLabelText("Email to invite"), {
      target: { value: "ada@example.com" },
    });
    fireEvent.click(screen.getByRole("button", { name: "Send invitation" }));
    await waitFor(() => expect(screen.getByText("Not a valid email")).toBeTruthy());
    expect(screen.getByLabelText("Email to invite").getAttribute("aria-invalid")).toBe("true");
  });
});

describe("Jobs", () => {
  it("starts the chosen job and shows its status", async () => {
    const calls = backend(() =>
      Response.json({ id: "job-1", name: "purge_expired", status: "queued" }, { status: 202 }),
    );
    renderOrgPage("jobs", <Jobs />);
    fireEvent.click(await screen.findByRole("button", { name: "Start job" }));
    expect((await screen.findByRole("status")).textContent).toContain("purge_expired");
    expect(posts(calls)).toEqual([`POST ${BASE}/jobs {"name":"purge_expired"}`]);
  });
});

describe("AuditLog", () => {
  it("filters the events by the action typed", async () => {
    const calls = backend(() => Response.json({}));
    renderOrgPage("audit-log", <AuditLog />);
    fireEvent.change(await screen.findByLabelText("Action (e.g. member.invited)"), {
      target: { value: " member.invited " },
    });
    fireEvent.click(screen.getByRole("button", { name: "Filter" }));
    await waitFor(() =>
      expect(
        calls.some(
          (call) => call.includes("/audit-log?") && call.includes("action=member.invited"),
        ),
      ).toBe(true),
    );
  });
});

describe("Files", () => {
  it("uploads the chosen file, the button off until there is one", async () => {
    vi.mocked(uploadFile).mockResolvedValue({ original_name: "notes.csv" });
    backend(() => Response.json({}));
    renderOrgPage("files", <Files />);
    const button = await screen.findByRole("button", { name: "Upload" });
    expect(button.hasAttribute("disabled")).toBe(true);
    const file = new File(["a,b\n"], "notes.csv", { type: "text/csv" });
    fireEvent.change(screen.getByLabelText("File to upload"), { target: { files: [file] } });
    // Submitted, not clicked: jsdom's check of the required input does not see
    // files set by a test.
    fireEvent.submit(button);
    expect(await screen.findByText("Uploaded notes.csv.")).toBeTruthy();
    expect(vi.mocked(uploadFile)).toHaveBeenCalledWith(
      `${BASE}/files/upload`,
      file,
      expect.any(Function),
    );
  });
});
