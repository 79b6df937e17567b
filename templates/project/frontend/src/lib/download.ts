// Downloads. In cookie mode a plain link to the file's content works: the
// browser sends the session cookie. In bearer mode a link cannot carry the
// Authorization header, so the app asks the API for the file's short-lived
// download link (it needs no credentials) and follows it.
import { api, unwrap } from "../api/client";

export async function downloadByLink(orgId: string, fileId: string, name: string): Promise<void> {
  const detail = await unwrap(
    api.GET("/api/v1/orgs/{org_id}/files/{file_id}", {
      params: { path: { org_id: orgId, file_id: fileId } },
    }),
  );
  if (!detail.download_url) return;
  const link = document.createElement("a");
  link.href = detail.download_url;
  link.download = name;
  link.rel = "noopener";
  document.body.append(link);
  link.click();
  link.remove();
}
