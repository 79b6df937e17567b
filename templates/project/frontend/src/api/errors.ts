// One shape for every error the API answers with. It reads RFC 9457
// application/problem+json (`code`, `detail`, `errors[].loc`) and FastAPI's
// plain `{"detail": ...}` (a message, or a list of validation errors).

export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  /** Messages by field name (the last part of each error's `loc`). */
  readonly fieldErrors: Record<string, string>;

  constructor(
    status: number,
    message: string,
    code?: string,
    fieldErrors: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.fieldErrors = fieldErrors;
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The field an error's location names: ["body", "email"] or "body.email" -> "email". */
export function fieldOf(loc: unknown): string | undefined {
  const parts = Array.isArray(loc) ? loc : typeof loc === "string" ? loc.split(/[./]/) : [];
  const names = parts.filter((part) => typeof part === "string" && part !== "body" && part !== "");
  return names.length > 0 ? String(names[0]) : undefined;
}

function fieldErrorsOf(list: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(list)) return out;
  for (const item of list) {
    if (!isObject(item)) continue;
    const field = fieldOf(item.loc);
    const message = item.msg ?? item.detail ?? item.message;
    if (field && typeof message === "string" && !(field in out)) out[field] = message;
  }
  return out;
}

/** The ApiError for an answer's status and parsed body (null when it was not JSON). */
export function problemFrom(status: number, body: unknown, fallback = "Request failed"): ApiError {
  if (!isObject(body)) return new ApiError(status, fallback);
  const code = typeof body.code === "string" ? body.code : undefined;
  if (Array.isArray(body.detail)) {
    const fields = fieldErrorsOf(body.detail);
    return new ApiError(status, "Please correct the highlighted fields.", code, fields);
  }
  const fields = fieldErrorsOf(body.errors);
  const detail =
    typeof body.detail === "string"
      ? body.detail
      : typeof body.title === "string"
        ? body.title
        : fallback;
  return new ApiError(status, detail, code, fields);
}

/** Read a failed Response into an ApiError. */
export async function apiErrorFrom(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return problemFrom(response.status, body, response.statusText || "Request failed");
}
