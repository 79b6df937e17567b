// Helpers of the journeys (e2e/app.spec.ts, e2e/billing.spec.ts): sign up and
// in, read an emailed link, and check a page with axe and photograph it into
// artifacts/.
import { readFileSync } from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

const LOG = "test-results/server.log";

/** Photograph the page into artifacts/ and find no serious or critical axe violation. */
export async function check(page: Page, name: string) {
  await page.waitForLoadState("networkidle");
  await page.screenshot({ path: `artifacts/${name}.png`, fullPage: true });
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter(
    (violation) => violation.impact === "serious" || violation.impact === "critical",
  );
  expect(serious.map((violation) => `${violation.id}: ${violation.help}`)).toEqual([]);
}

/** The last link to `path` the console email backend printed. */
export async function emailedLink(path: string): Promise<string> {
  const pattern = new RegExp(`https?://[^\\s]+${path}#[^\\s"]+`, "g");
  for (let attempt = 0; attempt < 60; attempt++) {
    const links = readFileSync(LOG, "utf-8").match(pattern);
    if (links && links.length > 0) return links[links.length - 1] as string;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`no ${path} link in ${LOG}`);
}

/** Sign up, verify the address from the emailed link, and sign in. */
export async function signUpAndIn(page: Page, email: string, password: string) {
  await page.goto("/sign-up");
  await page.getByLabel("Full name").fill("Ada Lovelace");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Check your inbox" })).toBeVisible();
  await page.goto(await emailedLink("/verify-email"));
  await expect(page.getByText("is verified")).toBeVisible();
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Organizations" })).toBeVisible();
}

/** Create an organization named `name`; its page's URL. */
export async function createOrganization(page: Page, name: string): Promise<string> {
  await page.goto("/orgs");
  await page.getByLabel("Name").fill(name);
  await page.getByRole("button", { name: "Create organization" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  return page.url();
}
