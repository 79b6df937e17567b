// Small accessible building blocks: every input has a visible label, every
// error is announced and tied to its input.
import { type ReactNode, useState } from "react";

export function PageTitle({ children }: { children: ReactNode }) {
  return <h1 className="mb-4 text-2xl font-semibold">{children}</h1>;
}

export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <p role="alert" className="my-2 rounded border border-red-300 bg-red-50 p-2 text-red-800">
      {message}
    </p>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <p
      role="status"
      className="my-2 rounded border border-green-300 bg-green-50 p-2 text-green-900"
    >
      {children}
    </p>
  );
}

interface TextFieldProps {
  id: string;
  label: string;
  type?: string;
  value: string;
  onChange: (value: string) => void;
  required?: boolean;
  autoComplete?: string;
  error?: string | undefined;
  maxLength?: number | undefined;
}

export function TextField(props: TextFieldProps) {
  const errorId = `${props.id}-error`;
  return (
    <div className="mb-3">
      <label htmlFor={props.id} className="mb-1 block font-medium">
        {props.label}
      </label>
      <input
        id={props.id}
        name={props.id}
        type={props.type ?? "text"}
        value={props.value}
        required={props.required}
        autoComplete={props.autoComplete}
        maxLength={props.maxLength}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? errorId : undefined}
        onChange={(event) => props.onChange(event.target.value)}
        className="w-full rounded border border-slate-400 bg-white px-2 py-1"
      />
      {props.error ? (
        <p id={errorId} className="mt-1 text-sm text-red-700">
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

export function Button({
  children,
  type = "button",
  onClick,
  disabled,
  variant = "primary",
  label,
}: {
  children: ReactNode;
  /** The name for screen readers when the text alone is ambiguous ("Delete" which row?). */
  label?: string;
  type?: "button" | "submit";
  onClick?: () => void;
  disabled?: boolean;
  variant?: "primary" | "secondary" | "danger";
}) {
  const colours = {
    primary: "bg-blue-700 text-white hover:bg-blue-800",
    secondary: "border border-slate-500 bg-white text-slate-900 hover:bg-slate-100",
    danger: "bg-red-700 text-white hover:bg-red-800",
  }[variant];
  return (
    <button
      type={type}
      onClick={onClick}
      disabled={disabled}
      aria-label={label}
      className={`rounded px-3 py-1 font-medium disabled:opacity-50 ${colours}`}
    >
      {children}
    </button>
  );
}

export function SelectField<T extends string>({
  id,
  label,
  value,
  options,
  onChange,
}: {
  id: string;
  label: string;
  value: T;
  options: readonly T[];
  onChange: (value: T) => void;
}) {
  return (
    <div className="mb-3">
      <label htmlFor={id} className="mb-1 block font-medium">
        {label}
      </label>
      <select
        id={id}
        value={value}
        onChange={(event) => onChange(event.target.value as T)}
        className="rounded border border-slate-400 bg-white px-2 py-1"
      >
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </div>
  );
}

export function SectionTitle({ children }: { children: ReactNode }) {
  return <h2 className="mt-8 mb-2 text-xl font-semibold">{children}</h2>;
}

/** A secret shown once: read-only, selectable, with a copy button. */
export function ShownOnce({ id, label, value }: { id: string; label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="my-3 rounded border border-amber-400 bg-amber-50 p-3">
      <label htmlFor={id} className="mb-1 block font-medium">
        {label}
      </label>
      <div className="flex gap-2">
        <input
          id={id}
          readOnly
          value={value}
          className="w-full rounded border border-slate-400 bg-white px-2 py-1 font-mono"
          onFocus={(event) => event.target.select()}
        />
        <Button
          variant="secondary"
          onClick={() => {
            void navigator.clipboard?.writeText(value).then(() => setCopied(true));
          }}
        >
          {copied ? "Copied" : "Copy"}
        </Button>
      </div>
      <p className="mt-1 text-sm">Copy it now: it is not shown again.</p>
    </div>
  );
}
