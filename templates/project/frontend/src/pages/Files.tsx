import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, request, unwrap } from "../api/client";
import type { components } from "../api/schema";
import { ConfirmButton } from "../components/confirm";
import { Form } from "../components/form";
import { Cell, Pager, Table, When } from "../components/table";
import { ErrorMessage, Notice, PageTitle, SectionTitle } from "../components/ui";
import { COOKIE_MODE, FILES_UPLOAD, MEMBER_MANAGER } from "../generated/app";
import { downloadByLink } from "../lib/download";
import { useCurrentOrg } from "../lib/org";
import { atLeast } from "../lib/permissions";
import { PAGE_SIZE } from "../lib/rows";
import { useMe } from "../lib/session";
import { uploadFile } from "../lib/upload";

type StoredFile = components["schemas"]["StoredFileRead"];

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function Upload({ orgId }: { orgId: string }) {
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState(0);
  const upload = useMutation({
    mutationFn: () => {
      if (!file) throw new Error("Choose a file to upload.");
      setProgress(0);
      return uploadFile<StoredFile>(`/api/v1/orgs/${orgId}/files/upload`, file, setProgress);
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["files", orgId] }),
  });
  return (
    <>
      <Form mutation={upload} submit="Upload" disabled={!file} inline>
        <div className="mb-3">
          <label htmlFor="file-upload" className="mb-1 block font-medium">
            File to upload
          </label>
          <input
            id="file-upload"
            type="file"
            required
            onChange={(event) => setFile(event.target.files?.[0] ?? null)}
          />
        </div>
      </Form>
      {upload.isPending ? (
        <div className="mb-3">
          <label htmlFor="upload-progress" className="mr-2">
            Uploading
          </label>
          <progress id="upload-progress" max={1} value={progress} />
        </div>
      ) : null}
      {upload.isSuccess ? <Notice>Uploaded {upload.data.original_name}.</Notice> : null}
    </>
  );
}

/** The organization's files: every member lists and downloads; uploaders upload. */
export function Files() {
  const { orgId, org, loading } = useCurrentOrg();
  const me = useMe();
  const [offset, setOffset] = useState(0);
  // Bearer mode: a link cannot send the token; fetch a short-lived link instead.
  const download = useMutation({
    mutationFn: (file: StoredFile) => downloadByLink(orgId, file.id, file.original_name),
  });
  const files = useQuery({
    queryKey: ["files", orgId, offset],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/orgs/{org_id}/files", {
          params: { path: { org_id: orgId }, query: { limit: PAGE_SIZE, offset } },
        }),
      ),
    enabled: org !== undefined,
  });
  if (loading) return <p>Loading…</p>;
  if (!org)
    return <ErrorMessage error="This organization does not exist or you are not a member." />;
  const mayDeleteAny = atLeast(org.role, MEMBER_MANAGER);
  const page = files.data;
  return (
    <section>
      <PageTitle>Files of {org.name}</PageTitle>
      {atLeast(org.role, FILES_UPLOAD) ? <Upload orgId={orgId} /> : null}
      <SectionTitle>Files</SectionTitle>
      <ErrorMessage error={files.error} />
      <ErrorMessage error={download.error} />
      <Table
        caption="Files"
        columns={["Name", "Type", "Size", "Uploaded", "Actions"]}
        count={page?.items.length ?? 0}
        empty="No files yet."
      >
        {(page?.items ?? []).map((file) => (
          <tr key={file.id}>
            <Cell>{file.original_name}</Cell>
            <Cell>{file.content_type}</Cell>
            <Cell>{size(file.size_bytes)}</Cell>
            <Cell>
              <When value={file.created_at} />
            </Cell>
            <Cell>
              <span className="flex flex-wrap gap-2">
                {file.status === "ready" ? (
                  <a
                    href={`/api/v1/orgs/${orgId}/files/${file.id}/content`}
                    download={file.original_name}
                    onClick={
                      COOKIE_MODE
                        ? undefined
                        : (event) => {
                            event.preventDefault();
                            download.mutate(file);
                          }
                    }
                    className="text-blue-800 underline"
                  >
                    Download<span className="sr-only"> {file.original_name}</span>
                  </a>
                ) : (
                  file.status
                )}
                {mayDeleteAny || file.uploaded_by_id === me.data?.id ? (
                  <ConfirmButton
                    name={file.original_name}
                    run={() => request("DELETE", `/api/v1/orgs/${orgId}/files/${file.id}`)}
                    invalidates={["files", orgId]}
                  />
                ) : null}
              </span>
            </Cell>
          </tr>
        ))}
      </Table>
      {page && page.total > PAGE_SIZE ? (
        <Pager offset={offset} total={page.total} exact={page.total_exact} onChange={setOffset} />
      ) : null}
    </section>
  );
}
