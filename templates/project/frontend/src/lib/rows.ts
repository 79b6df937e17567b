import { useQuery } from "@tanstack/react-query";
import { request } from "../api/client";
import type { EntityMeta, Page, Row } from "./entities";

export const PAGE_SIZE = 20;
/** How many rows a reference picker offers (the API's largest page). */
export const CHOICES = 100;

export function listPath(orgId: string, entity: EntityMeta): string {
  return `/api/v1/orgs/${orgId}/${entity.route}`;
}

/** One page of an entity's rows in the organization. */
export function useRows(
  orgId: string,
  entity: EntityMeta | undefined,
  { offset = 0, limit = PAGE_SIZE, enabled = true } = {},
) {
  return useQuery({
    queryKey: ["rows", orgId, entity?.route, offset, limit],
    queryFn: () =>
      request<Page<Row>>(
        "GET",
        `${listPath(orgId, entity as EntityMeta)}?limit=${limit}&offset=${offset}`,
      ),
    enabled: enabled && entity !== undefined,
  });
}

/** The name of a row: its title field, else its id. */
export function rowName(entity: EntityMeta | undefined, row: Row): string {
  const value = entity ? row[entity.title] : undefined;
  return value === null || value === undefined || value === "" ? row.id : String(value);
}
