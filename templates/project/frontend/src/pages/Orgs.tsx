import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { api, unwrap } from "../api/client";
import { Form, fieldErrors } from "../components/form";
import { ErrorMessage, PageTitle, TextField } from "../components/ui";
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
      <Form mutation={create} submit="Create organization">
        <TextField
          id="org-name"
          label="Name"
          value={name}
          onChange={setName}
          required
          maxLength={200}
          error={fieldErrors(create.error).name}
        />
      </Form>
    </section>
  );
}
