// Between the API's JSON values and the strings of form inputs.
import type { FieldMeta } from "./entities";

export type FormValues = Record<string, string>;

function pad(value: number): string {
  return String(value).padStart(2, "0");
}

/** An ISO date-time as the value of a datetime-local input, in the user's time zone. */
export function toLocalInput(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(
    date.getHours(),
  )}:${pad(date.getMinutes())}`;
}

/** A form's string for an API value. */
export function toInput(field: FieldMeta, value: unknown): string {
  if (value === null || value === undefined) return "";
  switch (field.type) {
    case "boolean":
      return value ? "true" : "false";
    case "datetime":
      return toLocalInput(String(value));
    case "json":
      return JSON.stringify(value, null, 2);
    default:
      return String(value);
  }
}

/** The API value for a form's string: null for an empty optional field. */
export function fromInput(field: FieldMeta, text: string): unknown {
  if (field.type === "boolean") return text === "true";
  if (text === "") return field.nullable ? null : undefined;
  switch (field.type) {
    case "integer":
    case "float":
      return Number(text);
    case "datetime":
      return new Date(text).toISOString();
    case "json":
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
    default:
      return text;
  }
}

/** The body of a create or update request. */
export function toPayload(
  fields: readonly FieldMeta[],
  values: FormValues,
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of fields) {
    const value = fromInput(field, values[field.name] ?? "");
    if (value !== undefined) body[field.name] = value;
  }
  return body;
}

/** A value as a table cell shows it. */
export function display(field: FieldMeta, value: unknown): string {
  if (value === null || value === undefined) return "";
  if (field.type === "boolean") return value ? "Yes" : "No";
  if (field.type === "datetime") return new Date(String(value)).toLocaleString();
  if (field.type === "json") return JSON.stringify(value);
  return String(value);
}
