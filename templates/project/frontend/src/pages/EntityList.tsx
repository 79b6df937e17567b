import { useState } from "react";
import { Link, useParams } from "react-router";
import { request } from "../api/client";
import { ApiError } from "../api/errors";
import { ConfirmButton } from "../components/confirm";
import { Cell, Pager, Table } from "../components/table";
import { UpgradePrompt } from "../components/UpgradePrompt";
import { ErrorMessage, PageTitle } from "../components/ui";
import type { EntityMeta, FieldMeta, Row } from "../lib/entities";
import { entityByRoute, useCurrentOrg } from "../lib/org";
import { can } from "../lib/permissions";
import { CHOICES, listPath, rowName, useRows } from "../lib/rows";
import { display } from "../lib/values";

function RefCell({ orgId, field, value }: { orgId: string; field: FieldMeta; value: unknown }) {
  const target = entityByRoute(field.to);
  const rows = useRows(orgId, target, { limit: CHOICES });
  if (typeof value !== "string" || !target) return null;
  const row = rows.data?.items.find((item) => item.id === value);
  return (
    <Link to={`/orgs/${orgId}/${target.route}/${value}`} className="text-blue-800 underline">
      {row ? rowName(target, row) : value}
    </Link>
  );
}

function DeleteButton({ orgId, entity, row }: { orgId: string; entity: EntityMeta; row: Row }) {
  return (
    <ConfirmButton
      name={rowName(entity, row)}
      run={() => request("DELETE", `${listPath(orgId, entity)}/${row.id}`)}
      invalidates={["rows", orgId]}
    />
  );
}

export function EntityList() {
  const { route } = useParams();
  const entity = entityByRoute(route);
  const { orgId, org, loading } = useCurrentOrg();
  const [offset, setOffset] = useState(0);
  const rows = useRows(orgId, entity, { offset, enabled: org !== undefined });
  if (!entity) return <ErrorMessage error="No such page." />;
  if (loading) return <p>Loading…</p>;
  if (!org)
    return <ErrorMessage error="This organization does not exist or you are not a member." />;
  const error = rows.error;
  if (error instanceof ApiError && error.status === 402) {
    return (
      <section>
        <PageTitle>{entity.pluralLabel}</PageTitle>
        <UpgradePrompt entity={entity} detail={error.message} />
      </section>
    );
  }
  const columns = entity.columns
    .map((name) => entity.fields.find((field) => field.name === name))
    .filter((field): field is FieldMeta => field !== undefined);
  const mayUpdate = can(org.role, "update", entity);
  const mayDelete = can(org.role, "delete", entity);
  const page = rows.data;
  return (
    <section>
      <div className="mb-4 flex items-center gap-4">
        <PageTitle>{entity.pluralLabel}</PageTitle>
        {can(org.role, "create", entity) ? (
          <Link
            to={`/orgs/${orgId}/${entity.route}/new`}
            className="ml-auto rounded bg-blue-700 px-3 py-1 font-medium text-white"
          >
            New {entity.label.toLowerCase()}
          </Link>
        ) : null}
      </div>
      <ErrorMessage error={error} />
      {page ? (
        <>
          <Table
            caption={entity.pluralLabel}
            columns={[
              ...columns.map((field) => field.label),
              ...(mayUpdate || mayDelete ? ["Actions"] : []),
            ]}
            count={page.items.length}
          >
            {page.items.map((row) => (
              <tr key={row.id}>
                {columns.map((field) => (
                  <Cell key={field.name}>
                    {field.type === "ref" ? (
                      <RefCell orgId={orgId} field={field} value={row[field.name]} />
                    ) : (
                      display(field, row[field.name])
                    )}
                  </Cell>
                ))}
                {mayUpdate || mayDelete ? (
                  <Cell>
                    <span className="flex gap-2">
                      {mayUpdate ? (
                        <Link
                          to={`/orgs/${orgId}/${entity.route}/${row.id}`}
                          className="rounded border border-slate-500 px-3 py-1"
                        >
                          Edit<span className="sr-only"> {rowName(entity, row)}</span>
                        </Link>
                      ) : null}
                      {mayDelete ? <DeleteButton orgId={orgId} entity={entity} row={row} /> : null}
                    </span>
                  </Cell>
                ) : null}
              </tr>
            ))}
          </Table>
          <Pager offset={offset} total={page.total} exact={page.total_exact} onChange={setOffset} />
        </>
      ) : rows.isPending ? (
        <p>Loading…</p>
      ) : null}
    </section>
  );
}
