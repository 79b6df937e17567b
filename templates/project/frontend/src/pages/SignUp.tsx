import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { api, unwrap } from "../api/client";
import { ApiError } from "../api/errors";
import { Button, ErrorMessage, Notice, PageTitle, TextField } from "../components/ui";

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
  const fieldErrors = signUp.error instanceof ApiError ? signUp.error.fieldErrors : {};
  const submit = (event: FormEvent) => {
    event.preventDefault();
    signUp.mutate();
  };
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
      <form onSubmit={submit} noValidate={false}>
        <TextField
          id="full_name"
          label="Full name"
          value={fullName}
          onChange={setFullName}
          required
          maxLength={200}
          autoComplete="name"
          error={fieldErrors.full_name}
        />
        <TextField
          id="email"
          label="Email"
          type="email"
          value={email}
          onChange={setEmail}
          required
          autoComplete="email"
          error={fieldErrors.email}
        />
        <TextField
          id="password"
          label="Password"
          type="password"
          value={password}
          onChange={setPassword}
          required
          autoComplete="new-password"
          error={fieldErrors.password}
        />
        <ErrorMessage error={signUp.error} />
        <Button type="submit" disabled={signUp.isPending}>
          Create account
        </Button>
      </form>
      <p className="mt-4">
        Have an account?{" "}
        <Link to="/sign-in" className="text-blue-800 underline">
          Sign in
        </Link>
      </p>
    </section>
  );
}
