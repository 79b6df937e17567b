// Small accessible building blocks: every input has a visible label, every
// error is announced and tied to its input.
import type { ReactNode } from "react";

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
}: {
  children: ReactNode;
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
      className={`rounded px-3 py-1 font-medium disabled:opacity-50 ${colours}`}
    >
      {children}
    </button>
  );
}
