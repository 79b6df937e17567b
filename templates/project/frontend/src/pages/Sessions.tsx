import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, request, unwrap } from "../api/client";
import type { components } from "../api/schema";
import { ConfirmButton } from "../components/confirm";
import { Cell, Table, When } from "../components/table";
import { ErrorMessage, PageTitle, SectionTitle } from "../components/ui";

export type AuthSession = components["schemas"]["SessionRead"];

const SESSIONS = ["sessions"];

/** How a session is named to screen readers and in the confirmation: when it began. */
export function sessionName(session: AuthSession): string {
  return `the session started ${new Date(session.created_at).toLocaleString()}`;
}

/** The signed-in user's sessions: where and when each began, the current one
 * marked; any other can be signed out, or all of them at once. */
export function Sessions() {
  const sessions = useQuery({
    queryKey: SESSIONS,
    queryFn: () => unwrap(api.GET("/api/v1/auth/sessions")),
  });
  const rows: AuthSession[] = sessions.data ?? [];
  const others = rows.filter((session) => !session.current).length;
  return (
    <section>
      <PageTitle>Your sessions</PageTitle>
      <p className="mb-4">
        Every sign-in is a session, until you sign out or it expires. Sign out any you do not
        recognise, then{" "}
        <Link to="/account" className="text-blue-800 underline">
          change your password
        </Link>
        .
      </p>
      <ErrorMessage error={sessions.error} />
      {sessions.isPending ? (
        <p>Loading…</p>
      ) : (
        <Table
          caption="Your sessions"
          columns={["Browser", "Address", "Signed in", "Last refreshed", "Expires", "Actions"]}
          count={rows.length}
          empty="No sessions."
        >
          {rows.map((session) => (
            <tr key={session.id}>
              <Cell>
                <span className="break-all">{session.user_agent ?? "Unknown"}</span>
              </Cell>
              <Cell>{session.ip ?? "Unknown"}</Cell>
              <Cell>
                <When value={session.created_at} />
              </Cell>
              <Cell>
                <When value={session.refreshed_at} />
              </Cell>
              <Cell>
                <When value={session.expires_at} />
              </Cell>
              <Cell>
                {session.current ? (
                  <strong>This session</strong>
                ) : (
                  <ConfirmButton
                    action="Sign out"
                    name={sessionName(session)}
                    run={() => request("DELETE", `/api/v1/auth/sessions/${session.id}`)}
                    invalidates={SESSIONS}
                  />
                )}
              </Cell>
            </tr>
          ))}
        </Table>
      )}
      {others > 0 ? (
        <>
          <SectionTitle>Everywhere else</SectionTitle>
          <p className="mb-2">
            Sign out the {others === 1 ? "other session" : `${others} other sessions`}; this one
            stays signed in.
          </p>
          <ConfirmButton
            action="Sign out"
            name="all other sessions"
            run={() => unwrap(api.POST("/api/v1/auth/logout/others"))}
            invalidates={SESSIONS}
          />
        </>
      ) : null}
    </section>
  );
}
