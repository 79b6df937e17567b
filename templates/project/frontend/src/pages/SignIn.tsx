import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { request } from "../api/client";
import { ApiError } from "../api/errors";
import { Button, ErrorMessage, PageTitle, TextField } from "../components/ui";

// The login answer: session cookies are set, or a second factor is needed.
type LoginAnswer = { challenge_token?: string };

export function SignIn() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [challenge, setChallenge] = useState<string | null>(null);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [search] = useSearchParams();
  // Back to where the user came from (an invitation link), never to another site.
  const next = search.get("next") ?? "";
  const done = async () => {
    await queryClient.invalidateQueries();
    navigate(/^\/(?![/\\])/.test(next) ? next : "/orgs");
  };
  const signIn = useMutation({
    mutationFn: () => request<LoginAnswer>("POST", "/api/v1/auth/login", { email, password }),
    onSuccess: async (answer) => {
      if (answer.challenge_token) setChallenge(answer.challenge_token);
      else await done();
    },
  });
  const verify = useMutation({
    mutationFn: () =>
      request("POST", "/api/v1/auth/totp/verify", { challenge_token: challenge, code }),
    onSuccess: done,
  });
  if (challenge) {
    const fieldErrors = verify.error instanceof ApiError ? verify.error.fieldErrors : {};
    return (
      <section className="max-w-md">
        <PageTitle>Two-factor code</PageTitle>
        <form
          onSubmit={(event: FormEvent) => {
            event.preventDefault();
            verify.mutate();
          }}
        >
          <TextField
            id="code"
            label="Code from your authenticator app, or a recovery code"
            value={code}
            onChange={setCode}
            required
            autoComplete="one-time-code"
            error={fieldErrors.code}
          />
          <ErrorMessage error={verify.error} />
          <Button type="submit" disabled={verify.isPending}>
            Verify
          </Button>
        </form>
      </section>
    );
  }
  const fieldErrors = signIn.error instanceof ApiError ? signIn.error.fieldErrors : {};
  return (
    <section className="max-w-md">
      <PageTitle>Sign in</PageTitle>
      <form
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          signIn.mutate();
        }}
      >
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
          autoComplete="current-password"
          error={fieldErrors.password}
        />
        <ErrorMessage error={signIn.error} />
        <Button type="submit" disabled={signIn.isPending}>
          Sign in
        </Button>
      </form>
      <p className="mt-4">
        <Link to="/forgot-password" className="text-blue-800 underline">
          Forgot your password?
        </Link>
      </p>
      <p className="mt-2">
        No account yet?{" "}
        <Link to="/sign-up" className="text-blue-800 underline">
          Sign up
        </Link>
      </p>
    </section>
  );
}
