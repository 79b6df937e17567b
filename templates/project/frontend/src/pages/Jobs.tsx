import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { request } from "../api/client";
import { Form } from "../components/form";
import { ErrorMessage, PageTitle, SelectField } from "../components/ui";
import { JOBS, MEMBER_MANAGER } from "../generated/app";
import { useCurrentOrg } from "../lib/org";
import { atLeast } from "../lib/permissions";

// Job paths exist only when the project has a worker, so they are called untyped.
interface Job {
  id: string;
  name: string;
  status: string;
  error?: string | null;
  ended_at?: string | null;
}

const DONE = new Set(["finished", "failed", "canceled", "stopped"]);

function JobStatus({ orgId, id }: { orgId: string; id: string }) {
  const job = useQuery({
    queryKey: ["job", orgId, id],
    queryFn: () => request<Job>("GET", `/api/v1/orgs/${orgId}/jobs/${id}`),
    // Poll until the worker is done with it.
    refetchInterval: (query) => (DONE.has(query.state.data?.status ?? "") ? false : 1000),
  });
  if (!job.data) return <ErrorMessage error={job.error} />;
  return (
    <p role="status" className="mt-3">
      Job {job.data.name}: <strong>{job.data.status}</strong>
      {job.data.error ? ` (${job.data.error})` : null}
    </p>
  );
}

/** Start a job from the spec's allow-list and watch its status. */
export function Jobs() {
  const { orgId, org, loading } = useCurrentOrg();
  const [name, setName] = useState<string>(JOBS[0] ?? "");
  const start = useMutation({
    mutationFn: () => request<Job>("POST", `/api/v1/orgs/${orgId}/jobs`, { name }),
  });
  if (loading) return <p>Loading…</p>;
  if (!org || !atLeast(org.role, MEMBER_MANAGER)) {
    return <ErrorMessage error="Only an organization's member managers may start jobs." />;
  }
  return (
    <section>
      <PageTitle>Jobs of {org.name}</PageTitle>
      <Form mutation={start} submit="Start job" inline>
        <SelectField id="job-name" label="Job" value={name} options={JOBS} onChange={setName} />
      </Form>
      {start.data ? <JobStatus key={start.data.id} orgId={orgId} id={start.data.id} /> : null}
    </section>
  );
}
