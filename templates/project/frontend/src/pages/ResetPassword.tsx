import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useLocation } from "react-router";
import { request } from "../api/client";
import { Form, fieldErrors } from "../components/form";
import { ErrorMessage, Notice, PageTitle, TextField } from "../components/ui";
import { TOTP } from "../generated/app";

/** The page the reset email links to: /reset-password#token=... */
export function ResetPassword() {
  const { hash } = useLocation();
  const token = new URLSearchParams(hash.replace(/^#/, "")).get("token") ?? "";
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const reset = useMutation({
    mutationFn: () =>
      request("POST", "/api/v1/auth/password-reset", {
        token,
        new_password: password,
        ...(code ? { code } : {}),
      }),
  });
  const errors = fieldErrors(reset.error);
  return (
    <section className="max-w-md">
      <PageTitle>Choose a new password</PageTitle>
      {!token ? (
        <ErrorMessage error="This link has no token; open the link from the email." />
      ) : null}
      {reset.isSuccess ? (
        <Notice>Your password is changed; sign in with it.</Notice>
      ) : (
        <Form mutation={reset} disabled={!token} submit="Set the new password">
          <TextField
            id="new-password"
            label="New password"
            type="password"
            value={password}
            onChange={setPassword}
            required
            autoComplete="new-password"
            error={errors.new_password ?? errors.token}
          />
          {TOTP ? (
            <TextField
              id="code"
              label="Two-factor code (if you turned it on)"
              value={code}
              onChange={setCode}
              autoComplete="one-time-code"
              error={errors.code}
            />
          ) : null}
        </Form>
      )}
      <p className="mt-4">
        <Link to="/sign-in" className="text-blue-800 underline">
          Sign in
        </Link>
      </p>
    </section>
  );
}
