import { useMutation, useQuery } from "@tanstack/react-query";
import { request } from "../api/client";
import { Cell, Table, When } from "../components/table";
import { Button, ErrorMessage, PageTitle, SectionTitle } from "../components/ui";
import { BILLING_PROVIDER, MEMBER_MANAGER } from "../generated/app";
import { type CheckoutAnswer, leaveForProvider } from "../lib/checkout";
import { useCurrentOrg } from "../lib/org";
import { atLeast } from "../lib/permissions";

// Billing paths exist only when the spec has plans, so they are called untyped.
interface Plan {
  id: string;
  paid: boolean;
  features: string[];
  quotas: Record<string, number>;
}
interface BillingState {
  plan: string | null;
  status: string;
  active: boolean;
  effective_plan: string | null;
  features: string[];
  current_period_end: string | null;
  trial_ends_at: string | null;
}
interface Usage {
  period: string;
  metrics: { metric: string; used: number; quota: number | null; remaining: number | null }[];
}

export function Billing() {
  const { orgId, org, loading } = useCurrentOrg();
  const allowed = atLeast(org?.role, MEMBER_MANAGER);
  const base = `/api/v1/orgs/${orgId}`;
  const plans = useQuery({
    queryKey: ["plans"],
    queryFn: () => request<Plan[]>("GET", "/api/v1/billing/plans"),
  });
  const state = useQuery({
    queryKey: ["billing", orgId],
    queryFn: () => request<BillingState>("GET", `${base}/billing`),
    enabled: allowed,
  });
  const usage = useQuery({
    queryKey: ["usage", orgId],
    queryFn: () => request<Usage>("GET", `${base}/usage`),
    enabled: allowed,
  });
  const checkout = useMutation({
    mutationFn: (plan: string) =>
      request<CheckoutAnswer>("POST", `${base}/billing/checkout`, { plan }),
    // The provider's hosted page: PayFast's by posting its form, others' by URL.
    onSuccess: leaveForProvider,
  });
  const portal = useMutation({
    mutationFn: () => request<{ url: string }>("POST", `${base}/billing/portal`),
    onSuccess: leaveForProvider,
  });
  if (loading) return <p>Loading…</p>;
  if (!org || !allowed) {
    return <ErrorMessage error="Only an organization's member managers may manage its billing." />;
  }
  const billing = state.data;
  // A paying subscription (changed in the provider's portal, not by a new
  // checkout); an organization on the free plan or on a trial may check out.
  const subscribed = billing?.status === "active" || billing?.status === "past_due";
  const canPay = BILLING_PROVIDER !== "none";
  return (
    <section>
      <PageTitle>Billing of {org.name}</PageTitle>
      <ErrorMessage
        error={state.error ?? plans.error ?? usage.error ?? checkout.error ?? portal.error}
      />
      {billing ? (
        <dl className="grid max-w-xl grid-cols-2 gap-1">
          <dt className="font-medium">Current plan</dt>
          <dd>{billing.effective_plan ?? "none"}</dd>
          <dt className="font-medium">Status</dt>
          <dd>{billing.status}</dd>
          <dt className="font-medium">Trial ends</dt>
          <dd>
            <When value={billing.trial_ends_at} />
          </dd>
          <dt className="font-medium">Current period ends</dt>
          <dd>
            <When value={billing.current_period_end} />
          </dd>
        </dl>
      ) : null}
      {canPay && subscribed && BILLING_PROVIDER === "stripe" ? (
        <p className="mt-3">
          <Button variant="secondary" onClick={() => portal.mutate()} disabled={portal.isPending}>
            Manage subscription
          </Button>
        </p>
      ) : null}
      <SectionTitle>Plans</SectionTitle>
      <Table
        caption="Plans"
        columns={
          canPay ? ["Plan", "Features", "Quotas", "Actions"] : ["Plan", "Features", "Quotas"]
        }
        count={plans.data?.length ?? 0}
      >
        {(plans.data ?? []).map((plan) => (
          <tr key={plan.id}>
            <Cell>{plan.id}</Cell>
            <Cell>{plan.features.join(", ") || "—"}</Cell>
            <Cell>
              {Object.entries(plan.quotas)
                .map(([metric, quota]) => `${metric}: ${quota.toLocaleString()}`)
                .join(", ") || "—"}
            </Cell>
            {canPay ? (
              <Cell>
                {plan.paid && !subscribed ? (
                  <Button onClick={() => checkout.mutate(plan.id)} disabled={checkout.isPending}>
                    Choose {plan.id}
                  </Button>
                ) : billing?.effective_plan === plan.id ? (
                  "Current plan"
                ) : null}
              </Cell>
            ) : null}
          </tr>
        ))}
      </Table>
      <SectionTitle>Usage this period</SectionTitle>
      <Table
        caption="Usage against quotas"
        columns={["Metric", "Used", "Quota", "Remaining"]}
        count={usage.data?.metrics.length ?? 0}
        empty="No usage recorded this period."
      >
        {(usage.data?.metrics ?? []).map((row) => (
          <tr key={row.metric}>
            <Cell>{row.metric}</Cell>
            <Cell>{row.used.toLocaleString()}</Cell>
            <Cell>{row.quota === null ? "No limit" : row.quota.toLocaleString()}</Cell>
            <Cell>{row.remaining === null ? "—" : row.remaining.toLocaleString()}</Cell>
          </tr>
        ))}
      </Table>
    </section>
  );
}
