// Upload one file as multipart/form-data with progress. fetch cannot report
// upload progress, so this uses XMLHttpRequest, with the same credentials as
// every other call (the cookies and CSRF header, or the bearer token) and the
// same one refresh when the session has expired.
import { authHeaders, refreshSession } from "../api/client";
import { ApiError, problemFrom } from "../api/errors";

type Answer = { status: number; statusText: string; body: unknown };

function post(path: string, file: File, onProgress: (fraction: number) => void): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    xhr.withCredentials = true;
    for (const [name, value] of Object.entries(authHeaders("POST"))) {
      xhr.setRequestHeader(name, value);
    }
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
      resolve({ status: xhr.status, statusText: xhr.statusText, body });
    };
    xhr.onerror = () => reject(new ApiError(0, "The upload failed: check your connection."));
    const form = new FormData();
    form.append("file", file);
    xhr.send(form);
  });
}

export async function uploadFile<T>(
  path: string,
  file: File,
  onProgress: (fraction: number) => void,
): Promise<T> {
  let answer = await post(path, file, onProgress);
  if (answer.status === 401 && (await refreshSession())) {
    onProgress(0);
    answer = await post(path, file, onProgress);
  }
  if (answer.status >= 200 && answer.status < 300) return answer.body as T;
  throw problemFrom(answer.status, answer.body, answer.statusText || "Upload failed");
}
