import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, unwrap } from "../api/client";
import { Form, type FormMutation } from "../components/form";
import { Cell, Pager, Table, When } from "../components/table";
import { ErrorMessage, PageTitle, TextField } from "../components/ui";
import { MEMBER_MANAGER } from "../generated/app";
import { useCurrentOrg } from "../lib/org";
import { atLeast } from "../lib/permissions";
import { PAGE_SIZE } from "../lib/rows";

/** The organization's audit events, newest first, filtered by action. */
export function AuditLog() {
  const { orgId, org, loading } = useCurrentOrg();
  const allowed = atLeast(org?.role, MEMBER_MANAGER);
  const [draft, setDraft] = useState("");
  const [action, setAction] = useState("");
  const [offset, setOffset] = useState(0);
  const events = useQuery({
    queryKey: ["audit", orgId, action, offset],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/orgs/{org_id}/audit-log", {
          params: {
            path: { org_id: orgId },
            query: { limit: PAGE_SIZE, offset, ...(action ? { action } : {}) },
          },
        }),
      ),
    enabled: allowed,
  });
  // Filtering changes the query, not the server: a form with nothing pending.
  const filter: FormMutation = {
    mutate: () => {
      setOffset(0);
      setAction(draft.trim());
    },
    error: null,
    isPending: false,
  };
  if (loading) return <p>Loading…</p>;
  if (!org || !allowed) {
    return <ErrorMessage error="Only an organization's member managers may read its audit log." />;
  }
  const page = events.data;
  return (
    <section>
      <PageTitle>Audit log of {org.name}</PageTitle>
      <Form mutation={filter} submit="Filter" inline>
        <TextField
          id="audit-action"
          label="Action (e.g. member.invited)"
          value={draft}
          onChange={setDraft}
        />
      </Form>
      <ErrorMessage error={events.error} />
      <Table
        caption="Audit events"
        columns={["When", "Action", "Actor", "Target"]}
        count={page?.items.length ?? 0}
        empty="No events."
      >
        {(page?.items ?? []).map((event) => (
          <tr key={event.id}>
            <Cell>
              <When value={event.created_at} />
            </Cell>
            <Cell>
              <code>{event.action}</code>
            </Cell>
            <Cell>
              {event.actor_user_id
                ? `user ${event.actor_user_id}`
                : event.actor_api_key_id
                  ? `API key ${event.actor_api_key_id}`
                  : "system"}
            </Cell>
            <Cell>{event.target_type ? `${event.target_type} ${event.target_id ?? ""}` : "—"}</Cell>
          </tr>
        ))}
      </Table>
      {page && page.total > PAGE_SIZE ? (
        <Pager offset={offset} total={page.total} exact={page.total_exact} onChange={setOffset} />
      ) : null}
    </section>
  );
}
