// Settings the end-to-end backend starts with that the tests also need.

/** The Stripe webhook secret of the test backend: the tests sign events with it. */
export const WEBHOOK_SECRET = "whsec_e2e_only_not_a_real_secret";
