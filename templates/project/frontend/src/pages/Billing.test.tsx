import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ORG, renderOrgPage, stubBackend } from "../test/orgPage";
import { Billing } from "./Billing";

// The page, not the session: cookie mode (no refresh call first), and a
// provider whatever the spec says, so that the plans can be chosen.
vi.mock("../generated/app", async (original) => ({
  ...(await original<typeof import("../generated/app")>()),
  COOKIE_MODE: true,
  BILLING_PROVIDER: "payfast",
}));

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  document.body.innerHTML = "";
});

const PLANS = [
  { id: "free", paid: false, features: [], quotas: {} },
  { id: "pro", paid: true, features: ["deals"], quotas: {} },
];
const STATE = {
  plan: null,
  status: "none",
  active: false,
  effective_plan: "free",
  features: [],
  current_period_end: null,
  trial_ends_at: null,
};
const PROCESS = "https://sandbox.payfast.co.za/eng/process";
const FIELDS = [
  { name: "merchant_id", value: "10000100" },
  { name: "item_name", value: "Acme pro & more" },
  { name: "signature", value: "0123456789abcdef0123456789abcdef" },
];

/** The backend: GETs answer the page's state; the checkout POST answers `checkout()`. */
function backend(checkout: () => Response) {
  return stubBackend((method, path) => {
    if (method === "POST") return checkout();
    if (path === "/api/v1/billing/plans") return Response.json(PLANS);
    if (path.endsWith("/usage")) return Response.json({ period: "2026-12", metrics: [] });
    return Response.json(STATE);
  });
}

/** Forms the page submits (jsdom does not navigate). */
function submittedForms(): HTMLFormElement[] {
  const forms: HTMLFormElement[] = [];
  vi.spyOn(HTMLFormElement.prototype, "submit").mockImplementation(function (
    this: HTMLFormElement,
  ) {
    forms.push(this);
  });
  return forms;
}

function renderPage() {
  renderOrgPage("billing", <Billing />);
}

describe("Billing", () => {
  it("posts PayFast's signed form from the top-level window to check out", async () => {
    const form = { action: PROCESS, fields: FIELDS };
    const posted = backend(() => Response.json({ url: `${PROCESS}?merchant_id=10000100`, form }));
    const forms = submittedForms();
    renderPage();
    fireEvent.click(await screen.findByRole("button", { name: "Choose pro" }));
    await waitFor(() => expect(forms).toHaveLength(1));
    expect(posted.filter((call) => call.startsWith("POST"))).toEqual([
      `POST /api/v1/orgs/${ORG.id}/billing/checkout {"plan":"pro"}`,
    ]);
    const sent = forms[0] as HTMLFormElement;
    expect([sent.method, sent.action, sent.isConnected]).toEqual(["post", PROCESS, true]);
    const inputs = [...sent.querySelectorAll("input")];
    expect(inputs.map((input) => [input.type, input.name, input.value])).toEqual(
      FIELDS.map(({ name, value }) => ["hidden", name, value]),
    );
  });

  it("shows the API's refusal and posts nothing", async () => {
    const refused = { detail: "This organization already has a subscription" };
    backend(() => Response.json(refused, { status: 409 }));
    const forms = submittedForms();
    renderPage();
    fireEvent.click(await screen.findByRole("button", { name: "Choose pro" }));
    expect((await screen.findByRole("alert")).textContent).toContain("already has a subscription");
    expect(forms).toEqual([]);
  });
});
