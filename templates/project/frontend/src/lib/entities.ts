// What the pages need to know about an entity: written per entity by Day One
// in src/pages/entities/, from the same spec the backend is generated from.
import type { Role } from "../generated/app";

export type Action = "read" | "create" | "update" | "delete";

export type FieldType =
  | "string"
  | "text"
  | "integer"
  | "float"
  | "decimal"
  | "boolean"
  | "date"
  | "datetime"
  | "email"
  | "url"
  | "uuid"
  | "json"
  | "enum"
  | "ref";

export interface FieldMeta {
  /** The key in the API's JSON (a ref's is `<name>_id`). */
  readonly name: string;
  readonly label: string;
  readonly type: FieldType;
  /** Must be given on create (required and without a default). */
  readonly required: boolean;
  readonly nullable: boolean;
  readonly maxLength?: number;
  readonly values?: readonly string[];
  /** For a ref: the route of the referenced entity. */
  readonly to?: string;
}

export interface EntityMeta {
  readonly name: string;
  /** The URL segment, in the API and in the app: `contacts`. */
  readonly route: string;
  readonly label: string;
  readonly pluralLabel: string;
  /** The plan feature the entity needs, if any. */
  readonly feature: string | null;
  /** The lowest role allowed each action (the backend's matrix). */
  readonly permissions: Readonly<Record<Action, Role>>;
  readonly fields: readonly FieldMeta[];
  /** The field that names a row in lists of references. */
  readonly title: string;
  /** The fields shown as list columns. */
  readonly columns: readonly string[];
}

export interface Page<T> {
  items: T[];
  /** The count when total_exact; else the list has more rows than this. */
  total: number;
  total_exact: boolean;
  limit: number;
  offset: number;
  /** Pass back as `cursor` for the page after this one; null on the last. */
  next_cursor: string | null;
}

export type Row = { id: string } & Record<string, unknown>;
