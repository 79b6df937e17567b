import { defineConfig } from "@playwright/test";
import { PAYFAST, PORT, PROVIDER_PORT, RAZORPAY, WEBHOOK_SECRET } from "./e2e/env";

// End-to-end tests in the system's Chromium (CHROMIUM_PATH; nothing is
// downloaded) against the backend serving the built app (`npm run build`
// first). The backend starts on a fresh database: SQLite in test-results/,
// or E2E_DATABASE_URL. Its log, where the console email backend prints the
// messages, is test-results/server.log; the tests read links from it. The
// payment provider's settings are those of its sandbox or test mode, and its
// own servers are a local stand-in (see e2e/billing.spec.ts).
const port = PORT;
const provider = `http://127.0.0.1:${PROVIDER_PORT}`;
const baseURL = `http://127.0.0.1:${port}`;
const database = process.env.E2E_DATABASE_URL ?? "sqlite:///../frontend/test-results/e2e.db";

export default defineConfig({
  testDir: "e2e",
  // One long journey on a machine that may be busy.
  timeout: 600_000,
  expect: { timeout: 30_000 },
  workers: 1,
  reporter: [["list"]],
  outputDir: "test-results/output",
  use: {
    baseURL,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  webServer: {
    cwd: "../backend",
    command:
      "mkdir -p ../frontend/test-results && rm -f ../frontend/test-results/e2e.db" +
      ` && alembic upgrade head && python -m uvicorn app.main:app --port ${port}` +
      " > ../frontend/test-results/server.log 2>&1",
    url: `${baseURL}/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    env: {
      DATABASE_URL: database,
      WEB_DIR: "../frontend/dist",
      FRONTEND_URL: baseURL,
      COOKIE_SECURE: "false",
      ENVIRONMENT: "development",
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      PAYFAST_MERCHANT_ID: PAYFAST.merchantId,
      PAYFAST_MERCHANT_KEY: PAYFAST.merchantKey,
      PAYFAST_PASSPHRASE: PAYFAST.passphrase,
      PAYFAST_PROCESS_URL: PAYFAST.processUrl,
      PAYFAST_VALIDATE_URL: `${provider}/eng/query/validate`,
      RAZORPAY_KEY_ID: RAZORPAY.keyId,
      RAZORPAY_KEY_SECRET: RAZORPAY.keySecret,
      RAZORPAY_WEBHOOK_SECRET: RAZORPAY.webhookSecret,
      RAZORPAY_API_BASE: provider,
      // PayFast's notifications reach the backend from this machine: it is the
      // proxy, and X-Forwarded-For names the sender (one of PayFast's addresses).
      TRUSTED_PROXIES: '["127.0.0.1/32"]',
    },
  },
});
