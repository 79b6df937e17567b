import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { Link, useLocation } from "react-router";
import { api, unwrap } from "../api/client";
import { ErrorMessage, Notice, PageTitle } from "../components/ui";

/** The page the verification email links to: /verify-email#token=... */
export function VerifyEmail() {
  const { hash } = useLocation();
  const token = new URLSearchParams(hash.replace(/^#/, "")).get("token") ?? "";
  const queryClient = useQueryClient();
  const { mutate, ...verify } = useMutation({
    mutationFn: (value: string) =>
      unwrap(api.POST("/api/v1/auth/verify-email", { body: { token: value } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["me"] }),
  });
  const sent = useRef(false);
  useEffect(() => {
    // A token works once: send it once, even when effects run twice.
    if (token && !sent.current) {
      sent.current = true;
      mutate(token);
    }
  }, [token, mutate]);
  return (
    <section>
      <PageTitle>Verify your email</PageTitle>
      {!token ? (
        <ErrorMessage error="This link has no token; open the link from the email." />
      ) : null}
      {verify.isPending ? <p>Checking the link…</p> : null}
      {verify.isSuccess ? <Notice>Your address {verify.data.email} is verified.</Notice> : null}
      <ErrorMessage error={verify.error} />
      <Link to="/orgs" className="text-blue-800 underline">
        Continue
      </Link>
    </section>
  );
}
