import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { request } from "../api/client";
import { Form, fieldErrors } from "../components/form";
import { PageTitle, TextField } from "../components/ui";

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
    return (
      <section className="max-w-md">
        <PageTitle>Two-factor code</PageTitle>
        <Form mutation={verify} submit="Verify">
          <TextField
            id="code"
            label="Code from your authenticator app, or a recovery code"
            value={code}
            onChange={setCode}
            required
            autoComplete="one-time-code"
            error={fieldErrors(verify.error).code}
          />
        </Form>
      </section>
    );
  }
  const errors = fieldErrors(signIn.error);
  return (
    <section className="max-w-md">
      <PageTitle>Sign in</PageTitle>
      <Form mutation={signIn} submit="Sign in">
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
          autoComplete="current-password"
          error={errors.password}
        />
      </Form>
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
