import { Link } from "react-router";
import { ErrorMessage, PageTitle } from "../components/ui";
import { ENTITIES } from "../generated/entities";
import { useCurrentOrg } from "../lib/org";
import { can } from "../lib/permissions";

export function OrgHome() {
  const { orgId, org, loading } = useCurrentOrg();
  if (loading) return <p>Loading…</p>;
  if (!org)
    return <ErrorMessage error="This organization does not exist or you are not a member." />;
  const visible = ENTITIES.filter((entity) => can(org.role, "read", entity));
  return (
    <section>
      <PageTitle>{org.name}</PageTitle>
      <p className="mb-4">Your role: {org.role}</p>
      <nav aria-label="Records">
        <ul className="list-disc pl-6">
          {visible.map((entity) => (
            <li key={entity.route}>
              <Link to={`/orgs/${orgId}/${entity.route}`} className="text-blue-800 underline">
                {entity.pluralLabel}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <p className="mt-4">
        <Link to={`/orgs/${orgId}/settings/members`} className="text-blue-800 underline">
          Members
        </Link>
      </p>
    </section>
  );
}
