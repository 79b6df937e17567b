// One input per field type, with its label and its error from the API.
import type { FieldMeta } from "../lib/entities";
import { entityByRoute } from "../lib/org";
import { CHOICES, rowName, useRows } from "../lib/rows";

interface Props {
  orgId: string;
  field: FieldMeta;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
}

const INPUT_CLASS = "w-full rounded border border-slate-400 bg-white px-2 py-1";

function RefPicker({
  orgId,
  field,
  value,
  onChange,
  describedBy,
}: Props & { describedBy?: string }) {
  const target = entityByRoute(field.to);
  const rows = useRows(orgId, target, { limit: CHOICES });
  return (
    <select
      id={`field-${field.name}`}
      value={value}
      required={field.required}
      aria-describedby={describedBy}
      onChange={(event) => onChange(event.target.value)}
      className={INPUT_CLASS}
    >
      <option value="">{rows.isPending ? "Loading…" : "Choose…"}</option>
      {rows.data?.items.map((row) => (
        <option key={row.id} value={row.id}>
          {rowName(target, row)}
        </option>
      ))}
    </select>
  );
}

function Control(props: Props & { describedBy?: string }) {
  const { field, value, onChange, describedBy } = props;
  const common = {
    id: `field-${field.name}`,
    name: field.name,
    required: field.required,
    "aria-describedby": describedBy,
    "aria-invalid": props.error ? true : undefined,
    className: INPUT_CLASS,
  };
  switch (field.type) {
    case "enum":
      return (
        <select {...common} value={value} onChange={(event) => onChange(event.target.value)}>
          {field.required ? null : <option value="">(none)</option>}
          {!field.required || value ? null : <option value="">Choose…</option>}
          {field.values?.map((choice) => (
            <option key={choice} value={choice}>
              {choice}
            </option>
          ))}
        </select>
      );
    case "ref":
      return <RefPicker {...props} />;
    case "boolean":
      return (
        <input
          {...common}
          type="checkbox"
          className="h-5 w-5"
          checked={value === "true"}
          onChange={(event) => onChange(event.target.checked ? "true" : "false")}
        />
      );
    case "text":
    case "json":
      return (
        <textarea
          {...common}
          rows={4}
          maxLength={field.maxLength}
          value={value}
          onChange={(event) => onChange(event.target.value)}
        />
      );
    default: {
      const types: Record<string, string> = {
        integer: "number",
        float: "number",
        email: "email",
        url: "url",
        date: "date",
        datetime: "datetime-local",
      };
      return (
        <input
          {...common}
          type={types[field.type] ?? "text"}
          step={field.type === "integer" ? 1 : field.type === "float" ? "any" : undefined}
          inputMode={field.type === "decimal" ? "decimal" : undefined}
          maxLength={field.maxLength}
          value={value}
          onChange={(event) => onChange(event.target.value)}
        />
      );
    }
  }
}

export function FieldInput(props: Props) {
  const { field, error } = props;
  const errorId = `field-${field.name}-error`;
  return (
    <div className="mb-3">
      <label htmlFor={`field-${field.name}`} className="mb-1 block font-medium">
        {field.label}
        {field.required ? null : <span className="font-normal text-slate-700"> (optional)</span>}
      </label>
      <Control {...props} describedBy={error ? errorId : undefined} />
      {error ? (
        <p id={errorId} className="mt-1 text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
