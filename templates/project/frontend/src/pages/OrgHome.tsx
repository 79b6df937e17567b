import { Link } from "react-router";
import { ErrorMessage, PageTitle } from "../components/ui";
import { JOBS, MEMBER_MANAGER, PLANS } from "../generated/app";
import { ENTITIES } from "../generated/entities";
import { useCurrentOrg } from "../lib/org";
import { atLeast, can } from "../lib/permissions";

export function OrgHome() {
  const { orgId, org, loading } = useCurrentOrg();
  if (loading) return <p>Loading…</p>;
  if (!org)
    return <ErrorMessage error="This organization does not exist or you are not a member." />;
  const visible = ENTITIES.filter((entity) => can(org.role, "read", entity));
  // Every member sees the members and files; the rest is for member managers.
  const manager = atLeast(org.role, MEMBER_MANAGER);
  const settings: [string, string][] = [
    ["members", "Members"],
    ["files", "Files"],
    ...(manager
      ? ([
          ["api-keys", "API keys"],
          ["audit-log", "Audit log"],
        ] as [string, string][])
      : []),
    ...(manager && PLANS ? ([["billing", "Billing"]] as [string, string][]) : []),
    ...(manager && JOBS.length > 0 ? ([["jobs", "Jobs"]] as [string, string][]) : []),
  ];
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
      <nav aria-label="Settings" className="mt-4">
        <ul className="flex flex-wrap gap-4">
          {settings.map(([path, label]) => (
            <li key={path}>
              <Link to={`/orgs/${orgId}/settings/${path}`} className="text-blue-800 underline">
                {label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
    </section>
  );
}
