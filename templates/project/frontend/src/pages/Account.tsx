import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { QRCodeSVG } from "qrcode.react";
import { useState } from "react";
import { Link } from "react-router";
import { api, request, unwrap } from "../api/client";
import { Form, fieldErrors } from "../components/form";
import { Button, ErrorMessage, Notice, PageTitle, SectionTitle, TextField } from "../components/ui";
import { TOTP } from "../generated/app";
import { useMe } from "../lib/session";

interface TotpStatus {
  enabled: boolean;
  pending: boolean;
}
interface TotpSetup {
  secret: string;
  otpauth_uri: string;
}

function ChangePassword() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const change = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/auth/password", {
          body: { current_password: current, new_password: next },
        }),
      ),
    onSuccess: () => {
      setCurrent("");
      setNext("");
    },
  });
  const errors = fieldErrors(change.error);
  return (
    <Form mutation={change} submit="Change password">
      {change.isSuccess ? (
        <Notice>Your password is changed; your other sessions are signed out.</Notice>
      ) : null}
      <TextField
        id="current-password"
        label="Current password"
        type="password"
        value={current}
        onChange={setCurrent}
        required
        autoComplete="current-password"
        error={errors.current_password}
      />
      <TextField
        id="new-password"
        label="New password"
        type="password"
        value={next}
        onChange={setNext}
        required
        autoComplete="new-password"
        error={errors.new_password}
      />
    </Form>
  );
}

function RecoveryCodes({ codes }: { codes: string[] }) {
  return (
    <div className="my-3 rounded border border-amber-400 bg-amber-50 p-3">
      <h3 className="font-semibold">Recovery codes</h3>
      <p className="text-sm">
        Each works once in place of a code. Keep them somewhere safe: they are not shown again.
      </p>
      <ul aria-label="Recovery codes" className="mt-2 grid grid-cols-2 gap-1 font-mono">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ul>
    </div>
  );
}

/** Turn the authenticator-app second factor on (QR code, then a code) or off. */
function TwoFactor() {
  const queryClient = useQueryClient();
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const status = useQuery({
    queryKey: ["totp"],
    queryFn: () => request<TotpStatus>("GET", "/api/v1/auth/totp"),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["totp"] });
  const reset = () => {
    setCode("");
    setPassword("");
  };
  const setup = useMutation({
    mutationFn: () => request<TotpSetup>("POST", "/api/v1/auth/totp/setup"),
  });
  const enable = useMutation({
    mutationFn: () =>
      request<{ recovery_codes: string[] }>("POST", "/api/v1/auth/totp/enable", {
        code,
        password,
      }),
    onSuccess: async () => {
      reset();
      setup.reset();
      await refresh();
    },
  });
  const disable = useMutation({
    mutationFn: () => request("POST", "/api/v1/auth/totp/disable", { code, password }),
    onSuccess: async () => {
      reset();
      enable.reset();
      await refresh();
    },
  });
  const active = setup.data ? enable : disable;
  const errors = fieldErrors(active.error);
  const confirmFields = (
    <>
      <TextField
        id="totp-code"
        label="Code from your authenticator app"
        value={code}
        onChange={setCode}
        required
        autoComplete="one-time-code"
        error={errors.code}
      />
      <TextField
        id="totp-password"
        label="Your password"
        type="password"
        value={password}
        onChange={setPassword}
        required
        autoComplete="current-password"
        error={errors.password}
      />
    </>
  );
  if (status.isPending) return <p>Loading…</p>;
  if (enable.data) {
    return (
      <>
        <Notice>Two-factor sign-in is on.</Notice>
        <RecoveryCodes codes={enable.data.recovery_codes} />
      </>
    );
  }
  if (status.data?.enabled) {
    return (
      <Form mutation={disable} submit="Turn off two-factor sign-in" variant="danger">
        <p className="mb-3">Two-factor sign-in is on. To turn it off, confirm with a code.</p>
        {confirmFields}
      </Form>
    );
  }
  if (!setup.data) {
    return (
      <>
        <p className="mb-3">Two-factor sign-in is off.</p>
        <ErrorMessage error={setup.error ?? status.error} />
        <Button onClick={() => setup.mutate()} disabled={setup.isPending}>
          Set up two-factor sign-in
        </Button>
      </>
    );
  }
  return (
    <Form mutation={enable} submit="Turn on two-factor sign-in">
      <p className="mb-2">
        Scan this code with your authenticator app, then enter the code it shows.
      </p>
      <div className="mb-2 inline-block bg-white p-2">
        <QRCodeSVG
          value={setup.data.otpauth_uri}
          size={192}
          title="QR code for your authenticator app"
          role="img"
          aria-label="QR code for your authenticator app"
        />
      </div>
      <p className="mb-3">
        Or enter this key by hand: <code data-testid="totp-secret">{setup.data.secret}</code>
      </p>
      {confirmFields}
    </Form>
  );
}

export function Account() {
  const me = useMe();
  return (
    <section>
      <PageTitle>Your account</PageTitle>
      <p>
        Signed in as <strong>{me.data?.email}</strong>
      </p>
      <SectionTitle>Sessions</SectionTitle>
      <p>
        <Link to="/account/sessions" className="text-blue-800 underline">
          Your sessions
        </Link>
        : where you are signed in, and signing out elsewhere.
      </p>
      <SectionTitle>Change password</SectionTitle>
      <ChangePassword />
      {TOTP ? (
        <>
          <SectionTitle>Two-factor sign-in</SectionTitle>
          <TwoFactor />
        </>
      ) : null}
    </section>
  );
}
