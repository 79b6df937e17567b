// Settings the end-to-end backend starts with that the tests also need.

/** The Stripe webhook secret of the test backend: the tests sign events with it. */
export const WEBHOOK_SECRET = "whsec_e2e_only_not_a_real_secret";

/** The port of the backend under test. */
export const PORT = Number(process.env.E2E_PORT ?? 8123);

/** The port of the stand-in for the payment provider's own servers (PayFast's
 * validation server, Razorpay's API), which e2e/billing.spec.ts starts: tests
 * cannot reach the real ones. */
export const PROVIDER_PORT = Number(process.env.E2E_PROVIDER_PORT ?? PORT + 1);

/** PayFast's public sandbox merchant, and a passphrase of the tests' own. */
export const PAYFAST = {
  merchantId: "10000100",
  merchantKey: "46f0cd694581a",
  passphrase: "e2e passphrase/not secret",
  processUrl: "https://sandbox.payfast.co.za/eng/process",
} as const;

/** Razorpay's test-mode credentials of the test backend, and its webhook secret. */
export const RAZORPAY = {
  keyId: "rzp_test_e2e",
  keySecret: "e2e key secret",
  webhookSecret: "e2e razorpay webhook secret",
} as const;
