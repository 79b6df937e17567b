import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { api, unwrap } from "../api/client";
import { Form, fieldErrors } from "../components/form";
import { Notice, PageTitle, TextField } from "../components/ui";

export function SignUp() {
  const [search] = useSearchParams();
  const signIn = search.get("next")
    ? `/sign-in?next=${encodeURIComponent(search.get("next") ?? "")}`
    : "/sign-in";
  const [fullName, setFullName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const signUp = useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/v1/auth/register", { body: { email, password, full_name: fullName } })),
  });
  const errors = fieldErrors(signUp.error);
  if (signUp.isSuccess) {
    return (
      <section>
        <PageTitle>Check your inbox</PageTitle>
        <Notice>{signUp.data.detail}</Notice>
        <Link to={signIn} className="text-blue-800 underline">
          Sign in
        </Link>
      </section>
    );
  }
  return (
    <section className="max-w-md">
      <PageTitle>Sign up</PageTitle>
      <Form mutation={signUp} submit="Create account">
        <TextField
          id="full_name"
          label="Full name"
          value={fullName}
          onChange={setFullName}
          required
          maxLength={200}
          autoComplete="name"
          error={errors.full_name}
        />
        <TextField
          id="email"
          label="Email"
          type="email"
          value={email}
          onChange={setEmail}
          required
          autoComplete="email"
          error={errors.email}
        />
        <TextField
          id="password"
          label="Password"
          type="password"
          value={password}
          onChange={setPassword}
          required
          autoComplete="new-password"
          error={errors.password}
        />
      </Form>
      <p className="mt-4">
        Have an account?{" "}
        <Link to="/sign-in" className="text-blue-800 underline">
          Sign in
        </Link>
      </p>
    </section>
  );
}
