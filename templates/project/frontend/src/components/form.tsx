// The form every page shares: submit without reloading, the API's error under
// the fields, and one submit button that waits for the answer.
import type { ReactNode } from "react";
import { ApiError } from "../api/errors";
import { Button, ErrorMessage } from "./ui";

/** The API's messages by field name, to show next to each field. */
export function fieldErrors(error: unknown): Record<string, string> {
  return error instanceof ApiError ? error.fieldErrors : {};
}

export function Form({
  onSubmit,
  error,
  pending,
  submit,
  variant = "primary",
  className = "max-w-md",
  children,
}: {
  onSubmit: () => void;
  error: unknown;
  pending: boolean;
  submit: string;
  variant?: "primary" | "danger";
  className?: string;
  children: ReactNode;
}) {
  return (
    <form
      className={className}
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      {children}
      <ErrorMessage error={error} />
      <Button type="submit" variant={variant} disabled={pending}>
        {submit}
      </Button>
    </form>
  );
}
