import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link, Outlet, useNavigate, useParams } from "react-router";
import { api, unwrap } from "../api/client";
import { PROJECT_NAME } from "../generated/app";
import { useMe, useOrgs } from "../lib/session";
import { Button } from "./ui";

function OrgSwitcher() {
  const orgs = useOrgs();
  const { orgId } = useParams();
  const navigate = useNavigate();
  if (!orgs.data || orgs.data.length === 0) return null;
  return (
    <div className="flex items-center gap-2">
      <label htmlFor="org-switcher" className="text-sm">
        Organization
      </label>
      <select
        id="org-switcher"
        value={orgId ?? ""}
        onChange={(event) => navigate(event.target.value ? `/orgs/${event.target.value}` : "/orgs")}
        className="rounded border border-slate-400 bg-white px-2 py-1"
      >
        <option value="">All organizations</option>
        {orgs.data.map((org) => (
          <option key={org.id} value={org.id}>
            {org.name}
          </option>
        ))}
      </select>
    </div>
  );
}

export function Layout() {
  const me = useMe();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const signOut = useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/auth/logout")),
    onSettled: () => {
      queryClient.clear();
      navigate("/sign-in");
    },
  });
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-300 bg-white">
        <nav aria-label="Main" className="mx-auto flex max-w-5xl items-center gap-4 p-3">
          <Link to="/orgs" className="text-lg font-semibold">
            {PROJECT_NAME}
          </Link>
          {me.data ? (
            <>
              <OrgSwitcher />
              <Link to="/account" className="ml-auto text-sm text-blue-800 underline">
                {me.data.email}
                <span className="sr-only"> (your account)</span>
              </Link>
              <Button variant="secondary" onClick={() => signOut.mutate()}>
                Sign out
              </Button>
            </>
          ) : (
            <span className="ml-auto flex gap-3">
              <Link to="/sign-in" className="text-blue-800 underline">
                Sign in
              </Link>
              <Link to="/sign-up" className="text-blue-800 underline">
                Sign up
              </Link>
            </span>
          )}
        </nav>
      </header>
      <main className="mx-auto max-w-5xl p-4">
        <Outlet />
      </main>
    </div>
  );
}
