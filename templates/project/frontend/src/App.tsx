import type { ReactNode } from "react";
import { Navigate, Route, Routes } from "react-router";
import { Layout } from "./components/Layout";
import { JOBS, PLANS } from "./generated/app";
import { useMe } from "./lib/session";
import { AcceptInvitation } from "./pages/AcceptInvitation";
import { Account } from "./pages/Account";
import { ApiKeys } from "./pages/ApiKeys";
import { AuditLog } from "./pages/AuditLog";
import { Billing } from "./pages/Billing";
import { EntityEdit } from "./pages/EntityEdit";
import { EntityList } from "./pages/EntityList";
import { Files } from "./pages/Files";
import { ForgotPassword } from "./pages/ForgotPassword";
import { Jobs } from "./pages/Jobs";
import { Members } from "./pages/Members";
import { OrgHome } from "./pages/OrgHome";
import { Orgs } from "./pages/Orgs";
import { ResetPassword } from "./pages/ResetPassword";
import { Sessions } from "./pages/Sessions";
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

function signedIn(page: ReactNode) {
  return <SignedIn>{page}</SignedIn>;
}

export function App() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route path="/sign-up" element={<SignUp />} />
        <Route path="/sign-in" element={<SignIn />} />
        <Route path="/verify-email" element={<VerifyEmail />} />
        <Route path="/accept-invitation" element={<AcceptInvitation />} />
        <Route path="/forgot-password" element={<ForgotPassword />} />
        <Route path="/reset-password" element={<ResetPassword />} />
        <Route path="/account" element={signedIn(<Account />)} />
        <Route path="/account/sessions" element={signedIn(<Sessions />)} />
        <Route path="/orgs/:orgId/settings/members" element={signedIn(<Members />)} />
        <Route path="/orgs/:orgId/settings/api-keys" element={signedIn(<ApiKeys />)} />
        <Route path="/orgs/:orgId/settings/audit-log" element={signedIn(<AuditLog />)} />
        {PLANS ? (
          <Route path="/orgs/:orgId/settings/billing" element={signedIn(<Billing />)} />
        ) : null}
        {JOBS.length > 0 ? (
          <Route path="/orgs/:orgId/settings/jobs" element={signedIn(<Jobs />)} />
        ) : null}
        <Route path="/orgs/:orgId/settings/files" element={signedIn(<Files />)} />
        <Route path="/orgs" element={signedIn(<Orgs />)} />
        <Route path="/orgs/:orgId" element={signedIn(<OrgHome />)} />
        <Route path="/orgs/:orgId/:route" element={signedIn(<EntityList />)} />
        <Route path="/orgs/:orgId/:route/:rowId" element={signedIn(<EntityEdit />)} />
        <Route path="*" element={<Navigate to="/orgs" replace />} />
      </Route>
    </Routes>
  );
}
