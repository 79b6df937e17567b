// The form every page shares: submit without reloading, the API's error under
// the fields, and one submit button that waits for the answer.
import type { ReactNode } from "react";
import { ApiError } from "../api/errors";
import { Button, ErrorMessage } from "./ui";

/** The API's messages by field name, to show next to each field. */
export function fieldErrors(error: unknown): Record<string, string> {
  return error instanceof ApiError ? error.fieldErrors : {};
}

/** What a form needs of the mutation it submits (TanStack Query's `useMutation`
 * result, with no variables: the mutation reads the form's state). */
export interface FormMutation {
  mutate: () => void;
  error: unknown;
  isPending: boolean;
}

export function Form({
  mutation,
  submit,
  disabled = false,
  variant = "primary",
  className = "max-w-md",
  actions,
  children,
}: {
  mutation: FormMutation;
  submit: string;
  /** Keeps the submit button off (besides while the answer is pending). */
  disabled?: boolean;
  variant?: "primary" | "danger";
  className?: string;
  /** More buttons beside the submit button (Cancel). */
  actions?: ReactNode;
  children: ReactNode;
}) {
  const button = (
    <Button type="submit" variant={variant} disabled={mutation.isPending || disabled}>
      {submit}
    </Button>
  );
  return (
    <form
      className={className}
      onSubmit={(event) => {
        event.preventDefault();
        mutation.mutate();
      }}
    >
      {children}
      <ErrorMessage error={mutation.error} />
      {actions ? (
        <span className="flex gap-2">
          {button}
          {actions}
        </span>
      ) : (
        button
      )}
    </form>
  );
}
