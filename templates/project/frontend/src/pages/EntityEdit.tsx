import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate, useParams } from "react-router";
import { request } from "../api/client";
import { ApiError } from "../api/errors";
import { FieldInput } from "../components/FieldInput";
import { Form, fieldErrors } from "../components/form";
import { UpgradePrompt } from "../components/UpgradePrompt";
import { Button, ErrorMessage, PageTitle } from "../components/ui";
import type { EntityMeta, Row } from "../lib/entities";
import { entityByRoute, useCurrentOrg } from "../lib/org";
import { can } from "../lib/permissions";
import { listPath } from "../lib/rows";
import { type FormValues, toInput, toPayload } from "../lib/values";

function initialValues(entity: EntityMeta, row: Row | undefined): FormValues {
  const values: FormValues = {};
  for (const field of entity.fields) {
    values[field.name] = row
      ? toInput(field, row[field.name])
      : field.type === "boolean"
        ? "false"
        : "";
  }
  return values;
}

function EntityForm({ orgId, entity, row }: { orgId: string; entity: EntityMeta; row?: Row }) {
  const [values, setValues] = useState<FormValues>(() => initialValues(entity, row));
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const save = useMutation({
    mutationFn: () => {
      const body = toPayload(entity.fields, values);
      return row
        ? request<Row>("PATCH", `${listPath(orgId, entity)}/${row.id}`, body)
        : request<Row>("POST", listPath(orgId, entity), body);
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ["rows", orgId] });
      navigate(`/orgs/${orgId}/${entity.route}`);
    },
  });
  const errors = fieldErrors(save.error);
  return (
    <Form
      mutation={save}
      submit={row ? "Save" : "Create"}
      className="max-w-xl"
      actions={
        <Button variant="secondary" onClick={() => navigate(`/orgs/${orgId}/${entity.route}`)}>
          Cancel
        </Button>
      }
    >
      {entity.fields.map((field) => (
        <FieldInput
          key={field.name}
          orgId={orgId}
          field={field}
          value={values[field.name] ?? ""}
          onChange={(value) => setValues((current) => ({ ...current, [field.name]: value }))}
          error={errors[field.name]}
        />
      ))}
    </Form>
  );
}

export function EntityEdit() {
  const { route, rowId = "new" } = useParams();
  const entity = entityByRoute(route);
  const { orgId, org, loading } = useCurrentOrg();
  const creating = rowId === "new";
  const row = useQuery({
    queryKey: ["row", orgId, route, rowId],
    queryFn: () => request<Row>("GET", `${listPath(orgId, entity as EntityMeta)}/${rowId}`),
    enabled: !creating && entity !== undefined && org !== undefined,
  });
  if (!entity) return <ErrorMessage error="No such page." />;
  if (loading) return <p>Loading…</p>;
  if (!org)
    return <ErrorMessage error="This organization does not exist or you are not a member." />;
  const title = creating
    ? `New ${entity.label.toLowerCase()}`
    : `Edit ${entity.label.toLowerCase()}`;
  if (row.error instanceof ApiError && row.error.status === 402) {
    return (
      <section>
        <PageTitle>{title}</PageTitle>
        <UpgradePrompt entity={entity} detail={row.error.message} />
      </section>
    );
  }
  if (!can(org.role, creating ? "create" : "update", entity)) {
    return <ErrorMessage error={`Your role (${org.role}) may not do this.`} />;
  }
  return (
    <section>
      <PageTitle>{title}</PageTitle>
      <ErrorMessage error={row.error} />
      {creating ? <EntityForm orgId={orgId} entity={entity} /> : null}
      {row.data ? <EntityForm orgId={orgId} entity={entity} row={row.data} /> : null}
    </section>
  );
}
