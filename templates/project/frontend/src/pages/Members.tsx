import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, request, unwrap } from "../api/client";
import { ConfirmButton } from "../components/confirm";
import { Form, fieldErrors } from "../components/form";
import { Cell, Table, When } from "../components/table";
import { ErrorMessage, Notice, PageTitle, SelectField, TextField } from "../components/ui";
import { INVITATIONS, MEMBER_MANAGER, ROLES, type Role } from "../generated/app";
import { useCurrentOrg } from "../lib/org";
import { atLeast } from "../lib/permissions";

interface Invitation {
  id: string;
  email: string;
  role: string;
  status: string;
  expires_at: string;
}

function RoleSelect({
  id,
  label,
  value,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <span className="flex items-center gap-2">
      <label htmlFor={id} className="sr-only">
        {label}
      </label>
      <select
        id={id}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        className="rounded border border-slate-400 bg-white px-2 py-1"
      >
        {ROLES.map((role) => (
          <option key={role} value={role}>
            {role}
          </option>
        ))}
      </select>
    </span>
  );
}

function Invitations({ orgId }: { orgId: string }) {
  const base = `/api/v1/orgs/${orgId}/invitations`;
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>(ROLES[ROLES.length - 1] as Role);
  const pending = useQuery({
    queryKey: ["invitations", orgId],
    queryFn: () => request<Invitation[]>("GET", `${base}?status=pending`),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["invitations", orgId] });
  const invite = useMutation({
    mutationFn: () => request<Invitation>("POST", base, { email, role }),
    onSuccess: async () => {
      setEmail("");
      await refresh();
    },
  });
  return (
    <section className="mt-8">
      <h2 className="mb-2 text-xl font-semibold">Invitations</h2>
      <Form mutation={invite} submit="Send invitation" inline>
        <TextField
          id="invite-email"
          label="Email to invite"
          type="email"
          value={email}
          onChange={setEmail}
          required
          error={fieldErrors(invite.error).email}
        />
        <SelectField
          id="invite-role"
          label="Role"
          value={role}
          options={ROLES}
          onChange={setRole}
        />
      </Form>
      {invite.isSuccess ? <Notice>Invitation sent to {invite.data.email}.</Notice> : null}
      <ErrorMessage error={pending.error} />
      <Table
        caption="Pending invitations"
        columns={["Email", "Role", "Expires", "Actions"]}
        count={pending.data?.length ?? 0}
        empty="No pending invitations."
      >
        {(pending.data ?? []).map((invitation) => (
          <tr key={invitation.id}>
            <Cell>{invitation.email}</Cell>
            <Cell>{invitation.role}</Cell>
            <Cell>
              <When value={invitation.expires_at} />
            </Cell>
            <Cell>
              <ConfirmButton
                action="Revoke"
                name={`the invitation of ${invitation.email}`}
                run={() => request("DELETE", `${base}/${invitation.id}`)}
                invalidates={["invitations", orgId]}
              />
            </Cell>
          </tr>
        ))}
      </Table>
    </section>
  );
}

export function Members() {
  const { orgId, org, loading } = useCurrentOrg();
  const queryClient = useQueryClient();
  const members = useQuery({
    queryKey: ["members", orgId],
    queryFn: () =>
      unwrap(api.GET("/api/v1/orgs/{org_id}/members", { params: { path: { org_id: orgId } } })),
    enabled: org !== undefined,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["members", orgId] });
  const changeRole = useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: string }) =>
      request("PATCH", `/api/v1/orgs/${orgId}/members/${userId}`, { role }),
    onSuccess: refresh,
  });
  if (loading) return <p>Loading…</p>;
  if (!org)
    return <ErrorMessage error="This organization does not exist or you are not a member." />;
  const manager = atLeast(org.role, MEMBER_MANAGER);
  return (
    <section>
      <PageTitle>Members of {org.name}</PageTitle>
      <ErrorMessage error={members.error ?? changeRole.error} />
      <Table
        caption="Members"
        columns={manager ? ["Name", "Email", "Role", "Actions"] : ["Name", "Email", "Role"]}
        count={members.data?.length ?? 0}
        empty={members.isPending ? "Loading…" : "No members."}
      >
        {(members.data ?? []).map((member) => (
          <tr key={member.user_id}>
            <Cell>{member.full_name}</Cell>
            <Cell>{member.email}</Cell>
            <Cell>
              {manager ? (
                <RoleSelect
                  id={`role-${member.user_id}`}
                  label={`Role of ${member.email}`}
                  value={member.role}
                  onChange={(role) => changeRole.mutate({ userId: member.user_id, role })}
                />
              ) : (
                member.role
              )}
            </Cell>
            {manager ? (
              <Cell>
                <ConfirmButton
                  action="Remove"
                  name={member.email}
                  run={() => request("DELETE", `/api/v1/orgs/${orgId}/members/${member.user_id}`)}
                  invalidates={["members", orgId]}
                />
              </Cell>
            ) : null}
          </tr>
        ))}
      </Table>
      {manager && INVITATIONS ? <Invitations orgId={orgId} /> : null}
    </section>
  );
}
