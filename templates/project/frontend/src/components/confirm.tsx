// A destructive action asks before it runs: the first click shows the
// question, the second sends the request.
import { type QueryKey, useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button, ErrorMessage } from "./ui";

/** A mutation that refreshes `invalidates` when it succeeds. */
export function useConfirmedMutation(run: () => Promise<unknown>, invalidates: QueryKey) {
  const [confirming, setConfirming] = useState(false);
  const queryClient = useQueryClient();
  const mutation = useMutation({
    mutationFn: run,
    onSuccess: async () => {
      setConfirming(false);
      await queryClient.invalidateQueries({ queryKey: invalidates });
    },
  });
  return { confirming, setConfirming, mutation };
}

/** "Delete" (or `action`) for the thing called `name`, then "Confirm delete". */
export function ConfirmButton({
  action = "Delete",
  name,
  run,
  invalidates,
}: {
  action?: string;
  name: string;
  run: () => Promise<unknown>;
  invalidates: QueryKey;
}) {
  const { confirming, setConfirming, mutation } = useConfirmedMutation(run, invalidates);
  if (!confirming) {
    return (
      <Button variant="danger" label={`${action} ${name}`} onClick={() => setConfirming(true)}>
        {action}
      </Button>
    );
  }
  return (
    <span className="flex flex-wrap items-center gap-2">
      <span>
        {action} {name}?
      </span>
      <Button variant="danger" onClick={() => mutation.mutate()} disabled={mutation.isPending}>
        Confirm {action.toLowerCase()}
      </Button>
      <Button variant="secondary" onClick={() => setConfirming(false)}>
        Cancel
      </Button>
      <ErrorMessage error={mutation.error} />
    </span>
  );
}
