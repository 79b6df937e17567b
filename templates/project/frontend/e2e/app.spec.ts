// The whole journey in a real browser: sign up, verify the email from the
// captured message, create organizations; API keys, files, jobs, the audit log
// and billing; create, list, edit and delete a row of every entity; an entity
// the plan lacks shows the upgrade prompt until a signed webhook turns a paid
// plan on; change, forget and reset the password; turn two-factor sign-in on
// and sign in with a code; a second sign-in listed on the sessions page and
// signed out from there. Every page is checked with axe and photographed
// into artifacts/. In both session modes no token is readable by scripts or
// kept in storage, and a reload keeps the user signed in.
import { createHmac } from "node:crypto";
import { expect, type Page, test } from "@playwright/test";
import {
  BILLING_PROVIDER,
  COOKIE_MODE,
  FREE_FEATURES,
  INVITATIONS,
  JOBS,
  PLANS,
  ROLES,
  TOTP,
  TRIAL_FEATURES,
  TRIAL_ONCE_PER_USER,
} from "../src/generated/app";
import { ENTITIES } from "../src/generated/entities";
import type { EntityMeta, FieldMeta } from "../src/lib/entities";
import { WEBHOOK_SECRET } from "./env";
import { PRICE_IDS } from "./plans";
import { check, emailedLink } from "./support";

const run = Date.now().toString(36);
const email = `e2e-${run}@example.com`;
const password = `Correct horse ${run} battery`;

/** No token where page scripts can read it: not in localStorage or
 * sessionStorage, not in document.cookie. Bearer mode keeps the refresh token
 * in an httpOnly cookie, cookie mode the whole session. */
async function expectNoTokenForScripts(page: Page) {
  const seen = await page.evaluate(() => ({
    stored: [localStorage, sessionStorage].flatMap((storage) =>
      Object.entries(storage).map(([key, value]) => `${key}=${value}`),
    ),
    cookie: document.cookie,
  }));
  expect(seen.stored.filter((entry) => /token|eyJ/i.test(entry))).toEqual([]);
  expect(seen.cookie).not.toMatch(/(^|; )(access_token|refresh_token)=|eyJ/);
  const refresh = (await page.context().cookies()).find(
    (cookie) => cookie.name === "refresh_token",
  );
  expect(refresh?.httpOnly).toBe(true);
  if (!COOKIE_MODE) {
    expect(refresh?.sameSite).toBe("Strict");
    expect(refresh?.path).toBe("/api/v1/auth/refresh");
  }
}

/** The current code of a base32 TOTP secret (RFC 6238: SHA-1, 6 digits, 30 s). */
function totpCode(secret: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of secret.replace(/=+$/, "").toUpperCase()) {
    bits += alphabet.indexOf(char).toString(2).padStart(5, "0");
  }
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((byte) => Number.parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000)));
  const digest = createHmac("sha1", key).update(counter).digest();
  const offset = (digest[digest.length - 1] ?? 0) & 0x0f;
  const value = digest.readUInt32BE(offset) & 0x7fffffff;
  return String(value % 1_000_000).padStart(6, "0");
}

/** The 30-second TOTP step a code of now belongs to. */
function totpStep(): number {
  return Math.floor(Date.now() / 30_000);
}

/** A Stripe-Signature header for `payload`, as Stripe signs webhooks (v1: HMAC-SHA256). */
function stripeSignature(payload: string): string {
  const timestamp = Math.floor(Date.now() / 1000);
  const v1 = createHmac("sha256", WEBHOOK_SECRET).update(`${timestamp}.${payload}`).digest("hex");
  return `t=${timestamp},v1=${v1}`;
}

/** Does a plan with `features` include the entity? (null: there are no plans) */
function includes(features: readonly string[] | null, entity: EntityMeta): boolean {
  return features === null || entity.feature === null || features.includes(entity.feature);
}

// A user's first organization is on the trial plan when there is one.
const FIRST_ORG = TRIAL_FEATURES ?? FREE_FEATURES;
const SECOND_ORG = TRIAL_FEATURES && !TRIAL_ONCE_PER_USER ? TRIAL_FEATURES : FREE_FEATURES;

/** The entities the first organization may use, in an order where every
 * required reference already has a row. */
function creationOrder(): EntityMeta[] {
  const usable = ENTITIES.filter((entity) => includes(FIRST_ORG, entity));
  const done = new Set<string>();
  const order: EntityMeta[] = [];
  while (order.length < usable.length) {
    const next = usable.find(
      (entity) =>
        !done.has(entity.route) &&
        entity.fields.every(
          (field) =>
            field.type !== "ref" ||
            !field.required ||
            field.to === entity.route ||
            done.has(field.to ?? ""),
        ),
    );
    if (!next) break;
    done.add(next.route);
    order.push(next);
  }
  return order;
}

function sample(field: FieldMeta, round: number): string | null {
  const cut = (text: string) => text.slice(0, field.maxLength ?? text.length);
  switch (field.type) {
    case "string":
      return cut(`${field.label} ${run}${round}`);
    case "text":
      return cut(`Some ${field.label.toLowerCase()} ${round}`);
    case "email":
      return `${field.name.replace(/_/g, "")}${round}-${run}@example.com`;
    case "url":
      return `https://example.com/${run}/${round}`;
    case "integer":
      return String(7 + round);
    case "float":
      return String(1.5 + round);
    case "decimal":
      return `${12 + round}.50`;
    case "date":
      return `2026-01-1${round}`;
    case "datetime":
      return `2026-01-1${round}T10:30`;
    case "uuid":
      return `0b6b2f0e-4d3a-4c36-9f0a-00000000000${round}`;
    case "json":
      return `{"round": ${round}}`;
    default:
      return null;
  }
}

async function fillForm(page: Page, entity: EntityMeta, round: number) {
  for (const field of entity.fields) {
    const input = page.locator(`#field-${field.name}`);
    if (field.type === "boolean") {
      await input.setChecked(round % 2 === 0);
    } else if (field.type === "enum") {
      const values = field.values ?? [];
      await input.selectOption(values[round % values.length] ?? "");
    } else if (field.type === "ref") {
      // A required reference waits for its rows; an optional one (a first row
      // referring to its own entity) may have none yet.
      const first = input.locator("option").nth(1);
      if (field.required) await expect(first).toBeAttached();
      else await expect(input.locator("option", { hasText: "Loading" })).toHaveCount(0);
      if ((await input.locator("option").count()) > 1) {
        await input.selectOption((await first.getAttribute("value")) ?? "");
      }
    } else {
      const value = sample(field, round);
      if (value !== null) await input.fill(value);
    }
  }
}

test("sign up, verify, organizations and every entity", async ({ page, browser, request }) => {
  const lowest = ROLES[ROLES.length - 1] as string;
  await page.goto("/sign-up");
  await check(page, "sign-up");
  await page.getByLabel("Full name").fill("Ada Lovelace");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Check your inbox" })).toBeVisible();
  await check(page, "sign-up-done");

  await page.goto(await emailedLink("/verify-email"));
  await expect(page.getByText("is verified")).toBeVisible();
  await check(page, "verify-email");

  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await check(page, "sign-in");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Organizations" })).toBeVisible();
  await check(page, "organizations");
  await expectNoTokenForScripts(page);
  // A reload keeps the session (bearer mode: one refresh with the httpOnly cookie).
  await page.reload();
  await expect(page.getByRole("heading", { name: "Organizations" })).toBeVisible();
  await expect(page.getByRole("link", { name: /your account/ })).toBeVisible();
  await expectNoTokenForScripts(page);

  // The first organization (on the trial of the paid plan, when there is one).
  await page.getByLabel("Name").fill(`First ${run}`);
  await page.getByRole("button", { name: "Create organization" }).click();
  await expect(page.getByRole("heading", { name: `First ${run}` })).toBeVisible();
  const firstOrg = page.url();
  const firstOrgId = new URL(firstOrg).pathname.split("/")[2] ?? "";
  await check(page, "organization");

  // API keys: create one, shown once; it works without the session; revoke it.
  await page.getByRole("link", { name: "API keys" }).click();
  await expect(page.getByRole("heading", { name: /^API keys of/ })).toBeVisible();
  await check(page, "api-keys-empty");
  await page.getByLabel("Key name").fill(`CI ${run}`);
  await page.getByLabel("Key role").selectOption(lowest);
  await page.getByRole("button", { name: "Create API key" }).click();
  const shown = page.getByLabel(`API key CI ${run}`);
  await expect(shown).toHaveValue(/.{20,}/);
  const key = await shown.inputValue();
  await expect(page.getByRole("cell", { name: `CI ${run}`, exact: true })).toBeVisible();
  await check(page, "api-keys");
  const byKey = { headers: { "X-API-Key": key } };
  const keyProbe = `/api/v1/orgs/${firstOrgId}/files`;
  expect((await request.get(keyProbe, byKey)).status()).toBe(200);
  await page.getByRole("button", { name: `Revoke CI ${run}` }).click();
  await page.getByRole("button", { name: "Confirm revoke" }).click();
  await expect(page.getByRole("cell", { name: "Revoked", exact: true })).toBeVisible();
  expect((await request.get(keyProbe, byKey)).status()).toBe(401);

  // Files: upload with progress, list, download.
  await page.goto(`${firstOrg}/settings/files`);
  await expect(page.getByRole("heading", { name: /^Files of/ })).toBeVisible();
  await page.getByLabel("File to upload").setInputFiles({
    name: "notes.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("name,score\nAda,7\n"),
  });
  await page.getByRole("button", { name: "Upload", exact: true }).click();
  await expect(page.getByText("Uploaded notes.csv.")).toBeVisible();
  await expect(page.getByRole("cell", { name: "notes.csv", exact: true })).toBeVisible();
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download notes.csv" }).click();
  expect((await download).suggestedFilename()).toBe("notes.csv");
  await check(page, "files");

  // Jobs: start one from the allow-list and watch it finish.
  if (JOBS.length > 0) {
    await page.goto(firstOrg);
    await page.getByRole("link", { name: "Jobs", exact: true }).click();
    await page.getByLabel("Job", { exact: true }).selectOption(JOBS[0] ?? "");
    await page.getByRole("button", { name: "Start job" }).click();
    await expect(page.getByRole("status")).toContainText("finished");
    await check(page, "jobs");
  }

  // The audit log, filtered to the key's revocation.
  await page.goto(firstOrg);
  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("heading", { name: /^Audit log of/ })).toBeVisible();
  await page.getByLabel(/^Action/).fill("api_key.revoked");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByRole("row")).toHaveCount(2);
  await expect(page.getByRole("cell", { name: "api_key.revoked" })).toBeVisible();
  await check(page, "audit-log");

  if (PLANS) {
    await page.goto(firstOrg);
    await page.getByRole("link", { name: "Billing" }).click();
    await expect(page.getByRole("heading", { name: /^Billing of/ })).toBeVisible();
    await expect(page.getByRole("table", { name: "Plans" })).toBeVisible();
    await check(page, "billing");
  }

  for (const entity of creationOrder()) {
    await page.goto(firstOrg);
    await page.getByRole("link", { name: entity.pluralLabel, exact: true }).click();
    await expect(page.getByRole("heading", { name: entity.pluralLabel })).toBeVisible();
    await check(page, `${entity.route}-empty`);
    await page.getByRole("link", { name: `New ${entity.label.toLowerCase()}` }).click();
    await check(page, `${entity.route}-new`);
    await fillForm(page, entity, 1);
    await page.getByRole("button", { name: "Create" }).click();
    const title = entity.fields.find((field) => field.name === entity.title);
    await expect(page.getByRole("heading", { name: entity.pluralLabel })).toBeVisible();
    await expect(page.getByRole("row")).toHaveCount(2);
    await check(page, `${entity.route}-list`);
    // Edit it.
    await page.getByRole("link", { name: /^Edit/ }).first().click();
    await expect(page.getByRole("button", { name: "Save" })).toBeVisible();
    await check(page, `${entity.route}-edit`);
    await fillForm(page, entity, 2);
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("heading", { name: entity.pluralLabel })).toBeVisible();
    if (title && title.type !== "enum") {
      const shown = sample(title, 2);
      if (shown) {
        await expect(page.getByRole("cell", { name: shown, exact: true }).first()).toBeVisible();
      }
    }
  }
  // Members; with invitations, a second user joins with the lowest role and
  // sees the rows without the buttons that role may not use.
  await page.goto(firstOrg);
  await page.getByRole("link", { name: "Members" }).click();
  await expect(page.getByRole("cell", { name: email, exact: true })).toBeVisible();
  await check(page, "members");
  if (INVITATIONS) {
    const invitee = `e2e-b-${run}@example.com`;
    await page.getByLabel("Email to invite").fill(invitee);
    await page.getByLabel("Role", { exact: true }).selectOption(lowest);
    await page.getByRole("button", { name: "Send invitation" }).click();
    await expect(page.getByRole("cell", { name: invitee, exact: true })).toBeVisible();
    await check(page, "invitations");
    const link = await emailedLink("/accept-invitation");
    const other = await browser.newContext();
    const guest = await other.newPage();
    await guest.goto(link);
    await check(guest, "accept-invitation");
    await guest.getByRole("link", { name: "Sign up" }).last().click();
    await guest.getByLabel("Full name").fill("Grace Hopper");
    await guest.getByLabel("Email").fill(invitee);
    await guest.getByLabel("Password").fill(password);
    await guest.getByRole("button", { name: "Create account" }).click();
    await expect(guest.getByRole("heading", { name: "Check your inbox" })).toBeVisible();
    // Accepting needs a confirmed address: the newest verification link is theirs.
    await guest.goto(await emailedLink("/verify-email"));
    await expect(guest.getByText("is verified")).toBeVisible();
    await guest.goto(link);
    await guest.getByRole("main").getByRole("link", { name: "Sign in" }).click();
    await guest.getByLabel("Email").fill(invitee);
    await guest.getByLabel("Password").fill(password);
    await guest.getByRole("button", { name: "Sign in" }).click();
    await guest.getByRole("button", { name: "Accept the invitation" }).click();
    await expect(guest.getByText(`You joined as ${lowest}`)).toBeVisible();
    await guest.getByRole("link", { name: "Open the organization" }).click();
    for (const entity of creationOrder()) {
      await guest.goto(`${new URL(firstOrg).pathname}/${entity.route}`);
      await expect(guest.getByRole("heading", { name: entity.pluralLabel })).toBeVisible();
      await expect(guest.getByRole("row")).toHaveCount(2);
      const may = (action: "create" | "update" | "delete") =>
        ROLES.indexOf(lowest as never) <= ROLES.indexOf(entity.permissions[action] as never);
      await expect(guest.getByRole("link", { name: /^New / })).toHaveCount(may("create") ? 1 : 0);
      await expect(guest.getByRole("link", { name: /^Edit/ })).toHaveCount(may("update") ? 1 : 0);
      await expect(guest.getByRole("button", { name: /^Delete/ })).toHaveCount(
        may("delete") ? 1 : 0,
      );
      await check(guest, `${entity.route}-as-${lowest}`);
    }
    await other.close();
  }

  // Delete in reverse, so references go first.
  for (const entity of creationOrder().reverse()) {
    await page.goto(`${firstOrg}/${entity.route}`);
    await page
      .getByRole("button", { name: /^Delete/ })
      .first()
      .click();
    await page.getByRole("button", { name: "Confirm delete" }).click();
    await expect(page.getByText("Nothing here yet.")).toBeVisible();
  }

  // A second organization is on the free plan: a paid entity shows the upgrade prompt.
  const paid = ENTITIES.find((entity) => !includes(SECOND_ORG, entity));
  if (paid) {
    await page.goto("/orgs");
    await page.getByLabel("Name").fill(`Second ${run}`);
    await page.getByRole("button", { name: "Create organization" }).click();
    await expect(page.getByRole("heading", { name: `Second ${run}` })).toBeVisible();
    const secondOrg = page.url();
    await page.getByRole("link", { name: paid.pluralLabel, exact: true }).click();
    await expect(
      page.getByRole("heading", { name: `Upgrade to use ${paid.pluralLabel.toLowerCase()}` }),
    ).toBeVisible();
    await check(page, `${paid.route}-upgrade`);

    // The provider reports a subscription to a plan with the entity, in an
    // event signed as the provider signs it: the entity unlocks.
    const plans = (await (await request.get("/api/v1/billing/plans")).json()) as {
      id: string;
      paid: boolean;
      features: string[];
    }[];
    const plan = plans.find(
      (one) => one.paid && PRICE_IDS[one.id] && one.features.includes(paid.feature ?? ""),
    );
    if (BILLING_PROVIDER === "stripe" && plan) {
      const orgId = new URL(secondOrg).pathname.split("/")[2] ?? "";
      const payload = JSON.stringify({
        id: `evt_e2e_${run}`,
        object: "event",
        type: "customer.subscription.updated",
        created: Math.floor(Date.now() / 1000),
        data: {
          object: {
            id: `sub_e2e_${run}`,
            object: "subscription",
            status: "active",
            customer: `cus_e2e_${run}`,
            metadata: { org_id: orgId },
            items: {
              data: [
                {
                  price: { id: PRICE_IDS[plan.id] },
                  current_period_end: Math.floor(Date.now() / 1000) + 30 * 86400,
                },
              ],
            },
            trial_end: null,
          },
        },
      });
      const answer = await request.post("/api/v1/billing/webhooks/stripe", {
        data: payload,
        headers: {
          "Content-Type": "application/json",
          "Stripe-Signature": stripeSignature(payload),
        },
      });
      expect(answer.status(), await answer.text()).toBe(200);
      await page.goto(`${secondOrg}/settings/billing`);
      await expect(page.getByRole("definition").first()).toHaveText(plan.id);
      await check(page, "billing-subscribed");
      await page.goto(`${secondOrg}/${paid.route}`);
      await expect(page.getByRole("heading", { name: paid.pluralLabel })).toBeVisible();
      await expect(
        page.getByRole("link", { name: `New ${paid.label.toLowerCase()}` }),
      ).toBeVisible();
      await check(page, `${paid.route}-unlocked`);
    }
  }

  // Sessions: a sign-in in a second browser is listed beside this one; signing
  // it out here signs that browser out on its next request.
  const laptop = await browser.newContext();
  const elsewhere = await laptop.newPage();
  await elsewhere.goto("/sign-in");
  await elsewhere.getByLabel("Email").fill(email);
  await elsewhere.getByLabel("Password").fill(password);
  await elsewhere.getByRole("button", { name: "Sign in" }).click();
  await expect(elsewhere.getByRole("heading", { name: "Organizations" })).toBeVisible();
  await page.getByRole("link", { name: /your account/ }).click();
  await page.getByRole("link", { name: "Your sessions" }).click();
  await expect(page.getByRole("heading", { name: "Your sessions" })).toBeVisible();
  const sessions = page.getByRole("table", { name: "Your sessions" });
  await expect(sessions.getByRole("row")).toHaveCount(3);
  await expect(sessions.getByText("This session")).toHaveCount(1);
  await check(page, "sessions");
  await page.getByRole("button", { name: /^Sign out the session started/ }).click();
  await page.getByRole("button", { name: "Confirm sign out" }).click();
  await expect(sessions.getByRole("row")).toHaveCount(2);
  await expect(page.getByRole("button", { name: "Sign out all other sessions" })).toHaveCount(0);
  await elsewhere.reload();
  await expect(elsewhere.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await laptop.close();

  // The account page: change the password.
  await page.getByRole("link", { name: /your account/ }).click();
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  await check(page, "account");
  const changed = `${password} changed`;
  await page.getByLabel("Current password").fill(password);
  await page.getByLabel("New password").fill(changed);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Your password is changed")).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  // Signed out on the server too: a reload does not bring the session back.
  await page.goto("/orgs");
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  expect(
    (await page.context().cookies()).filter((cookie) => cookie.name.endsWith("_token")),
  ).toEqual([]);

  // Forgotten: the emailed link opens the page that sets a new one.
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await page.getByLabel("Email").fill(email);
  await check(page, "forgot-password");
  await page.getByRole("button", { name: "Send the reset link" }).click();
  await expect(page.getByText("is on its way")).toBeVisible();
  await page.goto(await emailedLink("/reset-password"));
  await check(page, "reset-password");
  const reset = `${password} reset`;
  await page.getByLabel("New password").fill(reset);
  await page.getByRole("button", { name: "Set the new password" }).click();
  await expect(page.getByText("sign in with it")).toBeVisible();
  await page.getByRole("main").getByRole("link", { name: "Sign in" }).click();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(reset);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Organizations" })).toBeVisible();

  if (TOTP) {
    // Two-factor sign-in on, from the QR code's secret; then sign in with a code.
    await page.getByRole("link", { name: /your account/ }).click();
    await page.getByRole("button", { name: "Set up two-factor sign-in" }).click();
    await expect(
      page.getByRole("img", { name: "QR code for your authenticator app" }),
    ).toBeVisible();
    const secret = (await page.getByTestId("totp-secret").textContent()) ?? "";
    await check(page, "totp-setup");
    const used = totpStep();
    await page.getByLabel("Code from your authenticator app").fill(totpCode(secret));
    await page.getByLabel("Your password").fill(reset);
    await page.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
    const codes = page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem");
    await expect(codes.first()).toBeVisible();
    await check(page, "totp-recovery-codes");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(reset);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { name: "Two-factor code" })).toBeVisible();
    await check(page, "sign-in-code");
    // The code that turned it on is spent: wait for the next one.
    while (totpStep() <= used) await page.waitForTimeout(1000);
    await page.getByLabel(/Code from your authenticator app/).fill(totpCode(secret));
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page.getByRole("heading", { name: "Organizations" })).toBeVisible();
  }
});
