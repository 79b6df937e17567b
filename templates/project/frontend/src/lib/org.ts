import { useParams } from "react-router";
import { ENTITIES } from "../generated/entities";
import type { EntityMeta } from "./entities";
import { type Org, useOrgs } from "./session";

/** The organization in the URL, with the caller's role in it. */
export function useCurrentOrg(): { orgId: string; org: Org | undefined; loading: boolean } {
  const { orgId = "" } = useParams();
  const orgs = useOrgs();
  return { orgId, org: orgs.data?.find((org) => org.id === orgId), loading: orgs.isPending };
}

export function entityByRoute(route: string | undefined): EntityMeta | undefined {
  return ENTITIES.find((entity) => entity.route === route);
}
