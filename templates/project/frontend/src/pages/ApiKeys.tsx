import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, request, unwrap } from "../api/client";
import type { components } from "../api/schema";
import { ConfirmButton } from "../components/confirm";
import { Form, fieldErrors } from "../components/form";
import { Cell, Table, When } from "../components/table";
import {
  ErrorMessage,
  PageTitle,
  SectionTitle,
  SelectField,
  ShownOnce,
  TextField,
} from "../components/ui";
import { MEMBER_MANAGER, ROLES, type Role } from "../generated/app";
import { useCurrentOrg } from "../lib/org";
import { atLeast } from "../lib/permissions";

type ApiKey = components["schemas"]["ApiKeyRead"];

/** API keys of the organization: member managers create, list and revoke them. */
export function ApiKeys() {
  const { orgId, org, loading } = useCurrentOrg();
  const allowed = atLeast(org?.role, MEMBER_MANAGER);
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>(ROLES[ROLES.length - 1] as Role);
  const keys = useQuery({
    queryKey: ["api-keys", orgId],
    queryFn: () =>
      unwrap(api.GET("/api/v1/orgs/{org_id}/api-keys", { params: { path: { org_id: orgId } } })),
    enabled: allowed,
  });
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/orgs/{org_id}/api-keys", {
          params: { path: { org_id: orgId } },
          body: { name, role },
        }),
      ),
    onSuccess: async () => {
      setName("");
      await queryClient.invalidateQueries({ queryKey: ["api-keys", orgId] });
    },
  });
  if (loading) return <p>Loading…</p>;
  if (!org || !allowed) {
    return <ErrorMessage error="Only an organization's member managers may see its API keys." />;
  }
  const rows: ApiKey[] = keys.data ?? [];
  return (
    <section>
      <PageTitle>API keys of {org.name}</PageTitle>
      <SectionTitle>New API key</SectionTitle>
      <Form mutation={create} submit="Create API key" inline>
        <TextField
          id="key-name"
          label="Key name"
          value={name}
          onChange={setName}
          required
          maxLength={100}
          error={fieldErrors(create.error).name}
        />
        <SelectField
          id="key-role"
          label="Key role"
          value={role}
          options={ROLES}
          onChange={setRole}
        />
      </Form>
      <ErrorMessage error={keys.error} />
      {create.data ? (
        <ShownOnce id="new-key" label={`API key ${create.data.name}`} value={create.data.key} />
      ) : null}
      <SectionTitle>Keys</SectionTitle>
      <Table
        caption="API keys"
        columns={["Name", "Prefix", "Role", "Created", "Last used", "Status"]}
        count={rows.length}
        empty="No API keys yet."
      >
        {rows.map((key) => (
          <tr key={key.id}>
            <Cell>{key.name}</Cell>
            <Cell>
              <code>{key.prefix}</code>
            </Cell>
            <Cell>{key.role}</Cell>
            <Cell>
              <When value={key.created_at} />
            </Cell>
            <Cell>
              <When value={key.last_used_at} />
            </Cell>
            <Cell>
              {key.revoked_at ? (
                "Revoked"
              ) : (
                <ConfirmButton
                  action="Revoke"
                  name={key.name}
                  run={() => request("DELETE", `/api/v1/orgs/${orgId}/api-keys/${key.id}`)}
                  invalidates={["api-keys", orgId]}
                />
              )}
            </Cell>
          </tr>
        ))}
      </Table>
    </section>
  );
}
