import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { api, unwrap } from "../api/client";
import { Form, fieldErrors } from "../components/form";
import { Notice, PageTitle, TextField } from "../components/ui";

/** Ask for a reset link; the answer is the same whether the address has an account or not. */
export function ForgotPassword() {
  const [email, setEmail] = useState("");
  const ask = useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/auth/password-reset/request", { body: { email } })),
  });
  return (
    <section className="max-w-md">
      <PageTitle>Forgot your password?</PageTitle>
      {ask.isSuccess ? (
        <Notice>If {email} has an account, a link to choose a new password is on its way.</Notice>
      ) : (
        <Form mutation={ask} submit="Send the reset link">
          <TextField
            id="email"
            label="Email"
            type="email"
            value={email}
            onChange={setEmail}
            required
            autoComplete="email"
            error={fieldErrors(ask.error).email}
          />
        </Form>
      )}
      <p className="mt-4">
        <Link to="/sign-in" className="text-blue-800 underline">
          Back to sign in
        </Link>
      </p>
    </section>
  );
}
