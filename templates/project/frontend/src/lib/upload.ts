// Upload one file as multipart/form-data with progress. fetch cannot report
// upload progress, so this uses XMLHttpRequest, with the same cookies and
// CSRF header as every other call.
import { csrfToken } from "../api/client";
import { ApiError, problemFrom } from "../api/errors";

export function uploadFile<T>(
  path: string,
  file: File,
  onProgress: (fraction: number) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    xhr.withCredentials = true;
    const token = csrfToken();
    if (token) xhr.setRequestHeader("X-CSRF-Token", token);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as T);
      else reject(problemFrom(xhr.status, body, xhr.statusText || "Upload failed"));
    };
    xhr.onerror = () => reject(new ApiError(0, "The upload failed: check your connection."));
    const form = new FormData();
    form.append("file", file);
    xhr.send(form);
  });
}
