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

/** An inline form's row: fields side by side, the button level with their inputs. */
const INLINE = "flex max-w-xl flex-wrap items-end gap-3";

export function Form({
  mutation,
  submit,
  disabled = false,
  variant = "primary",
  className = "max-w-md",
  inline = false,
  actions,
  children,
}: {
  mutation: FormMutation;
  submit: string;
  /** Keeps the submit button off (besides while the answer is pending). */
  disabled?: boolean;
  variant?: "primary" | "danger";
  className?: string;
  /** Fields in a row with the button after them (filters, short forms), the
   * API's error on a line of its own below; else one field under another. */
  inline?: boolean;
  /** More buttons beside the submit button (Cancel). */
  actions?: ReactNode;
  children: ReactNode;
}) {
  const button = (
    <Button type="submit" variant={variant} disabled={mutation.isPending || disabled}>
      {submit}
    </Button>
  );
  const buttons = actions ? (
    <span className="flex gap-2">
      {button}
      {actions}
    </span>
  ) : (
    button
  );
  return (
    <form
      className={inline ? INLINE : className}
      onSubmit={(event) => {
        event.preventDefault();
        mutation.mutate();
      }}
    >
      {children}
      {inline ? (
        <>
          <div className="mb-3">{buttons}</div>
          {mutation.error ? (
            <div className="w-full">
              <ErrorMessage error={mutation.error} />
            </div>
          ) : null}
        </>
      ) : (
        <>
          <ErrorMessage error={mutation.error} />
          {buttons}
        </>
      )}
    </form>
  );
}
