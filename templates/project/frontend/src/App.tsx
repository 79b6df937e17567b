import type { ReactNode } from "react";
import { Navigate, Route, Routes } from "react-router";
import { Layout } from "./components/Layout";
import { useMe } from "./lib/session";
import { AcceptInvitation } from "./pages/AcceptInvitation";
import { EntityEdit } from "./pages/EntityEdit";
import { EntityList } from "./pages/EntityList";
import { Members } from "./pages/Members";
import { OrgHome } from "./pages/OrgHome";
import { Orgs } from "./pages/Orgs";
import { SignIn } from "./pages/SignIn";
import { SignUp } from "./pages/SignUp";
import { VerifyEmail } from "./pages/VerifyEmail";

/** Pages for signed-in users; others are sent to sign in. */
function SignedIn({ children }: { children: ReactNode }) {
  const me = useMe();
  if (me.isPending) return <p>Loading…</p>;
  if (!me.data) return <Navigate to="/sign-in" replace />;
  return <>{children}</>;
}

export function App() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route path="/sign-up" element={<SignUp />} />
        <Route path="/sign-in" element={<SignIn />} />
        <Route path="/verify-email" element={<VerifyEmail />} />
        <Route path="/accept-invitation" element={<AcceptInvitation />} />
        <Route
          path="/orgs/:orgId/settings/members"
          element={
            <SignedIn>
              <Members />
            </SignedIn>
          }
        />
        <Route
          path="/orgs"
          element={
            <SignedIn>
              <Orgs />
            </SignedIn>
          }
        />
        <Route
          path="/orgs/:orgId"
          element={
            <SignedIn>
              <OrgHome />
            </SignedIn>
          }
        />
        <Route
          path="/orgs/:orgId/:route"
          element={
            <SignedIn>
              <EntityList />
            </SignedIn>
          }
        />
        <Route
          path="/orgs/:orgId/:route/:rowId"
          element={
            <SignedIn>
              <EntityEdit />
            </SignedIn>
          }
        />
        <Route path="*" element={<Navigate to="/orgs" replace />} />
      </Route>
    </Routes>
  );
}
