import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useNavigate } from "react-router";
import { api, unwrap } from "../api/client";
import { ApiError } from "../api/errors";
import { Button, ErrorMessage, PageTitle, TextField } from "../components/ui";
import { useOrgs } from "../lib/session";

export function Orgs() {
  const orgs = useOrgs();
  const [name, setName] = useState("");
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const create = useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/orgs", { body: { name } })),
    onSuccess: async (org) => {
      await queryClient.invalidateQueries({ queryKey: ["orgs"] });
      navigate(`/orgs/${org.id}`);
    },
  });
  const fieldErrors = create.error instanceof ApiError ? create.error.fieldErrors : {};
  return (
    <section>
      <PageTitle>Organizations</PageTitle>
      <ErrorMessage error={orgs.error} />
      {orgs.data && orgs.data.length > 0 ? (
        <ul className="mb-6 list-disc pl-6">
          {orgs.data.map((org) => (
            <li key={org.id}>
              <Link to={`/orgs/${org.id}`} className="text-blue-800 underline">
                {org.name}
              </Link>{" "}
              <span className="text-sm text-slate-700">({org.role})</span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="mb-6">You are not in any organization yet: create one.</p>
      )}
      <h2 className="mb-2 text-xl font-semibold">Create an organization</h2>
      <form
        className="max-w-md"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          create.mutate();
        }}
      >
        <TextField
          id="org-name"
          label="Name"
          value={name}
          onChange={setName}
          required
          maxLength={200}
          error={fieldErrors.name}
        />
        <ErrorMessage error={create.error} />
        <Button type="submit" disabled={create.isPending}>
          Create organization
        </Button>
      </form>
    </section>
  );
}
