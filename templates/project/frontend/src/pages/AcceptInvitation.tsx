import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link, useLocation } from "react-router";
import { request } from "../api/client";
import { Button, ErrorMessage, Notice, PageTitle } from "../components/ui";
import { useMe } from "../lib/session";

/** The page the invitation email links to: /accept-invitation#code=... */
export function AcceptInvitation() {
  const { hash } = useLocation();
  const code = new URLSearchParams(hash.replace(/^#/, "")).get("code") ?? "";
  const me = useMe();
  const queryClient = useQueryClient();
  const accept = useMutation({
    mutationFn: () =>
      request<{ org_id: string; role: string }>("POST", "/api/v1/invitations/accept", { code }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["orgs"] }),
  });
  const back = encodeURIComponent(`/accept-invitation${hash}`);
  return (
    <section className="max-w-xl">
      <PageTitle>Join an organization</PageTitle>
      {!code ? <ErrorMessage error="This link has no code; open the link from the email." /> : null}
      {me.isPending ? <p>Loading…</p> : null}
      {me.isSuccess && !me.data ? (
        <p>
          Sign in with the address the invitation was sent to, or create an account for it:{" "}
          <Link to={`/sign-in?next=${back}`} className="text-blue-800 underline">
            Sign in
          </Link>{" "}
          or{" "}
          <Link to={`/sign-up?next=${back}`} className="text-blue-800 underline">
            Sign up
          </Link>
          .
        </p>
      ) : null}
      {me.data && code && !accept.isSuccess ? (
        <Button onClick={() => accept.mutate()} disabled={accept.isPending}>
          Accept the invitation
        </Button>
      ) : null}
      {accept.isSuccess ? (
        <Notice>
          You joined as {accept.data.role}.{" "}
          <Link to={`/orgs/${accept.data.org_id}`} className="text-blue-800 underline">
            Open the organization
          </Link>
        </Notice>
      ) : null}
      <ErrorMessage error={accept.error} />
    </section>
  );
}
