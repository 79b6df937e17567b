// Checkout and the provider's notification for PayFast and Razorpay (Stripe's
// is in app.spec.ts): an organization without the paid plan sees the upgrade
// prompt; the billing page sends the browser to the provider's checkout (for
// PayFast, by posting its signed form), which is caught before it leaves this
// machine; a notification signed as the
// provider signs it turns the plan on and the entity unlocks, while badly
// signed ones (and, for PayFast, one from outside PayFast's addresses) are
// refused and unlock nothing.
//
// The provider's own servers cannot be reached from a test, so a local
// stand-in plays their part (PROVIDER_PORT, which the backend's
// PAYFAST_VALIDATE_URL and RAZORPAY_API_BASE point at): PayFast's validation
// server, which answers VALID only for a notification these tests sent, and
// Razorpay's subscriptions API. Everything of the backend's own is real.
import { createHash, createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import {
  BILLING_PROVIDER,
  FREE_FEATURES,
  TRIAL_FEATURES,
  TRIAL_ONCE_PER_USER,
} from "../src/generated/app";
import { ENTITIES } from "../src/generated/entities";
import type { EntityMeta } from "../src/lib/entities";
import { PAYFAST, PROVIDER_PORT, RAZORPAY } from "./env";
import { PRICE_IDS } from "./plans";
import { check, createOrganization, signUpAndIn } from "./support";

const COVERED = BILLING_PROVIDER === "payfast" || BILLING_PROVIDER === "razorpay";
test.skip(!COVERED, "PayFast and Razorpay only: app.spec.ts turns a Stripe plan on");

const run = Date.now().toString(36);
const email = `e2e-billing-${run}@example.com`;
const password = `Correct horse ${run} battery`;
// PayFast's published notification senders include 197.97.145.144/28.
const PAYFAST_ADDRESS = "197.97.145.145";
const ELSEWHERE = "203.0.113.5";

interface Plan {
  id: string;
  paid: boolean;
  features: string[];
}

/** What the stand-in for the provider's servers was asked. */
const provider = {
  // PayFast: the parameter strings of notifications these tests sent, and the
  // ones the backend asked to confirm.
  sent: new Set<string>(),
  validated: [] as string[],
  // Razorpay: the subscriptions the backend created.
  subscriptions: [] as { id: string; plan_id: string; notes: Record<string, string> }[],
};
let server: Server | null = null;

test.beforeAll(async () => {
  if (!COVERED) return;
  const started = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf-8");
    });
    request.on("end", () => {
      if (request.method === "POST" && request.url === "/eng/query/validate") {
        provider.validated.push(body);
        response.writeHead(200, { "Content-Type": "text/plain" });
        response.end(provider.sent.has(body) ? "VALID" : "INVALID");
        return;
      }
      const basic = `Basic ${Buffer.from(`${RAZORPAY.keyId}:${RAZORPAY.keySecret}`).toString("base64")}`;
      if (
        request.method === "POST" &&
        request.url === "/v1/subscriptions" &&
        request.headers.authorization === basic
      ) {
        const asked = JSON.parse(body) as { plan_id: string; notes: Record<string, string> };
        const id = `sub_e2e${provider.subscriptions.length}${run}`;
        provider.subscriptions.push({ id, plan_id: asked.plan_id, notes: asked.notes });
        response.writeHead(200, { "Content-Type": "application/json" });
        response.end(
          JSON.stringify({
            id,
            entity: "subscription",
            plan_id: asked.plan_id,
            status: "created",
            notes: asked.notes,
            short_url: `https://rzp.io/i/${id}`,
          }),
        );
        return;
      }
      response.writeHead(404, { "Content-Type": "application/json" });
      response.end(
        JSON.stringify({ error: { description: `no ${request.method} ${request.url}` } }),
      );
    });
  });
  await new Promise<void>((resolve) => started.listen(PROVIDER_PORT, "127.0.0.1", resolve));
  server = started;
});

test.afterAll(async () => {
  const running = server;
  if (running) await new Promise((resolve) => running.close(resolve));
});

/** Does a plan with `features` include the entity? (null: there are no plans) */
function includes(features: readonly string[] | null, entity: EntityMeta): boolean {
  return features === null || entity.feature === null || features.includes(entity.feature);
}

/** PHP's urlencode, which PayFast's signature uses: spaces as +, only A-Z a-z 0-9 - _ . kept. */
function phpUrlencode(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*~]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");
}

/** PayFast's parameter string: fields in order, trimmed values urlencoded, then the passphrase. */
function payfastParams(fields: [string, string][], passphrase?: string): string {
  const pairs: [string, string][] =
    passphrase === undefined ? fields : [...fields, ["passphrase", passphrase]];
  return pairs.map(([key, value]) => `${key}=${phpUrlencode(value.trim())}`).join("&");
}

/** PayFast's signature: MD5 of the parameter string with the passphrase, hex. */
function payfastSignature(fields: [string, string][], passphrase: string): string {
  return createHash("md5").update(payfastParams(fields, passphrase)).digest("hex");
}

/** Razorpay's X-Razorpay-Signature: HMAC-SHA256 of the raw body with the webhook secret, hex. */
function razorpaySignature(body: string, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("hex");
}

/** The paid-only entity's page shows the upgrade prompt (true) or its rows (false). */
async function expectLocked(page: Page, org: string, entity: EntityMeta, locked: boolean) {
  await page.goto(`${org}/${entity.route}`);
  const prompt = page.getByRole("heading", {
    name: `Upgrade to use ${entity.pluralLabel.toLowerCase()}`,
  });
  if (locked) {
    await expect(prompt).toBeVisible();
  } else {
    await expect(page.getByRole("heading", { name: entity.pluralLabel })).toBeVisible();
    await expect(
      page.getByRole("link", { name: `New ${entity.label.toLowerCase()}` }),
    ).toBeVisible();
    await expect(prompt).toHaveCount(0);
  }
}

/** How the browser reached the provider's page: the top-level request's method,
 * URL and (for a form post) body. */
interface Reached {
  method: string;
  url: URL;
  body: string | null;
}

/** Open the billing page and choose `plan`; the provider's page is answered by
 * a stand-in, so the browser stays here. How the app sent the browser there. */
async function checkout(page: Page, org: string, plan: Plan, site: string): Promise<Reached> {
  let reached = null as Reached | null;
  await page.route(`${site}**`, async (route) => {
    const sent = route.request();
    expect(sent.isNavigationRequest(), "a top-level navigation").toBe(true);
    reached = { method: sent.method(), url: new URL(sent.url()), body: sent.postData() };
    await route.fulfill({
      contentType: "text/html",
      body: `<!doctype html><html lang="en"><title>Checkout (stand-in)</title><main><h1>${BILLING_PROVIDER} checkout (stand-in)</h1></main></html>`,
    });
  });
  await page.goto(`${org}/settings/billing`);
  await expect(page.getByRole("heading", { name: /^Billing of/ })).toBeVisible();
  await check(page, `billing-${BILLING_PROVIDER}`);
  await page.getByRole("button", { name: `Choose ${plan.id}` }).click();
  await expect(
    page.getByRole("heading", { name: `${BILLING_PROVIDER} checkout (stand-in)` }),
  ).toBeVisible();
  if (reached === null) throw new Error(`the browser did not reach ${site}`);
  return reached;
}

async function deliverPayfast(
  request: APIRequestContext,
  fields: [string, string][],
  signature: string,
  from: string,
) {
  const signed: [string, string][] = [...fields, ["signature", signature]];
  const body = signed.map(([key, value]) => `${key}=${phpUrlencode(value)}`).join("&");
  return request.post("/api/v1/billing/webhooks/payfast", {
    data: body,
    headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": from },
  });
}

async function deliverRazorpay(
  request: APIRequestContext,
  body: string,
  signature: string,
  id: string,
) {
  return request.post("/api/v1/billing/webhooks/razorpay", {
    data: body,
    headers: {
      "Content-Type": "application/json",
      "X-Razorpay-Event-Id": id,
      "X-Razorpay-Signature": signature,
    },
  });
}

test("checkout and a signed notification unlock the paid plan", async ({ page, request }) => {
  const free = TRIAL_FEATURES ?? FREE_FEATURES;
  const paid = ENTITIES.find((entity) => !includes(FREE_FEATURES, entity));
  expect(paid, "the spec needs an entity that only a paid plan includes").toBeDefined();
  if (!paid) return;
  await signUpAndIn(page, email, password);
  // A user's first organization may be on a trial that includes the entity;
  // the next one is not, unless every organization gets the trial.
  let org = await createOrganization(page, `First ${run}`);
  if (includes(free, paid)) {
    const next = TRIAL_FEATURES && !TRIAL_ONCE_PER_USER ? TRIAL_FEATURES : FREE_FEATURES;
    expect(includes(next, paid), "every organization is on a trial with the entity").toBe(false);
    org = await createOrganization(page, `Second ${run}`);
  }
  const orgId = new URL(org).pathname.split("/")[2] ?? "";
  await page.getByRole("link", { name: paid.pluralLabel, exact: true }).click();
  await expect(
    page.getByRole("heading", { name: `Upgrade to use ${paid.pluralLabel.toLowerCase()}` }),
  ).toBeVisible();
  await check(page, `${paid.route}-upgrade-${BILLING_PROVIDER}`);

  const plans = (await (await request.get("/api/v1/billing/plans")).json()) as Plan[];
  const plan = plans.find((one) => one.paid && one.features.includes(paid.feature ?? ""));
  expect(plan, "a paid plan includes the entity").toBeDefined();
  if (!plan) return;

  if (BILLING_PROVIDER === "payfast") {
    // Checkout: PayFast's form, POSTed to its payment page, its fields signed
    // with the passphrase.
    const { method, url, body } = await checkout(page, org, plan, PAYFAST.processUrl);
    expect([method, url.href]).toEqual(["POST", PAYFAST.processUrl]);
    const fields = [...new URLSearchParams(body ?? "").entries()] as [string, string][];
    expect(fields.at(-1)?.[0]).toBe("signature");
    const given = Object.fromEntries(fields);
    expect(given).toMatchObject({
      merchant_id: PAYFAST.merchantId,
      merchant_key: PAYFAST.merchantKey,
      custom_str1: orgId,
      custom_str2: plan.id,
      subscription_type: "1",
    });
    const unsigned = fields.filter(([key]) => key !== "signature");
    expect(given.signature).toBe(payfastSignature(unsigned, PAYFAST.passphrase));
    await check(page, "payfast-checkout");

    // PayFast's ITN for the first payment, its fields in PayFast's order.
    const amount = given.amount ?? "";
    const itn: [string, string][] = [
      ["m_payment_id", given.m_payment_id ?? ""],
      ["pf_payment_id", String(Date.now() % 10_000_000)],
      ["payment_status", "COMPLETE"],
      ["item_name", given.item_name ?? ""],
      ["item_description", ""],
      ["amount_gross", amount],
      ["amount_fee", "-5.75"],
      ["amount_net", (Number(amount) - 5.75).toFixed(2)],
      ["custom_str1", orgId],
      ["custom_str2", plan.id],
      ["name_first", "Ada"],
      ["name_last", "Lovelace"],
      ["email_address", email],
      ["merchant_id", PAYFAST.merchantId],
      ["token", `e2e-token-${run}`],
      ["billing_date", new Date().toISOString().slice(0, 10)],
    ];
    provider.sent.add(payfastParams(itn));
    const signature = payfastSignature(itn, PAYFAST.passphrase);

    // Refused: a wrong signature, and the right one sent from outside PayFast.
    const forged = await deliverPayfast(
      request,
      itn,
      payfastSignature(itn, "not the passphrase"),
      PAYFAST_ADDRESS,
    );
    expect(forged.status(), await forged.text()).toBe(400);
    const elsewhere = await deliverPayfast(request, itn, signature, ELSEWHERE);
    expect(elsewhere.status(), await elsewhere.text()).toBe(400);
    expect(provider.validated).toEqual([]);
    await expectLocked(page, org, paid, true);

    const answer = await deliverPayfast(request, itn, signature, PAYFAST_ADDRESS);
    expect(answer.status(), await answer.text()).toBe(200);
    // The backend asked PayFast's validation server about exactly this notification.
    expect(provider.validated).toEqual([payfastParams(itn)]);
  } else {
    // Checkout: a Razorpay subscription of the plan, created for this
    // organization, and its hosted page.
    const { method, url } = await checkout(page, org, plan, "https://rzp.io/i/");
    expect(method).toBe("GET");
    const created = provider.subscriptions.at(-1);
    expect(created).toMatchObject({
      plan_id: PRICE_IDS[plan.id],
      notes: { org_id: orgId, plan: plan.id },
    });
    expect(url.href).toBe(`https://rzp.io/i/${created?.id}`);
    await check(page, "razorpay-checkout");

    const now = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({
      entity: "event",
      account_id: "acc_e2e",
      event: "subscription.activated",
      contains: ["subscription"],
      payload: {
        subscription: {
          entity: {
            id: created?.id,
            entity: "subscription",
            plan_id: PRICE_IDS[plan.id],
            customer_id: `cust_e2e${run}`,
            status: "active",
            current_start: now,
            current_end: now + 30 * 86400,
            notes: { org_id: orgId, plan: plan.id },
          },
        },
      },
      created_at: now,
    });
    // Refused: signed with another secret (the key secret, as a payment is signed).
    const forged = await deliverRazorpay(
      request,
      body,
      razorpaySignature(body, RAZORPAY.keySecret),
      `evt_e2e_forged_${run}`,
    );
    expect(forged.status(), await forged.text()).toBe(400);
    await expectLocked(page, org, paid, true);

    const answer = await deliverRazorpay(
      request,
      body,
      razorpaySignature(body, RAZORPAY.webhookSecret),
      `evt_e2e_${run}`,
    );
    expect(answer.status(), await answer.text()).toBe(200);
  }

  await page.goto(`${org}/settings/billing`);
  await expect(page.getByRole("definition").first()).toHaveText(plan.id);
  await check(page, `billing-subscribed-${BILLING_PROVIDER}`);
  await expectLocked(page, org, paid, false);
  await check(page, `${paid.route}-unlocked-${BILLING_PROVIDER}`);
});
