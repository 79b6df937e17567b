import { QueryClient, QueryClientProvider, useMutation } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { useState } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/errors";
import { Form, type FormMutation, fieldErrors } from "./form";
import { TextField } from "./ui";

afterEach(cleanup);

function idle(overrides: Partial<FormMutation> = {}): FormMutation {
  return { mutate: vi.fn(), error: null, isPending: false, ...overrides };
}

/** A form over a real mutation that fails with a field error, as a page builds one. */
function Rename({ run }: { run: (name: string) => Promise<unknown> }) {
  const [name, setName] = useState("");
  const rename = useMutation({ mutationFn: () => run(name) });
  return (
    <Form mutation={rename} submit="Rename">
      <TextField
        id="name"
        label="Name"
        value={name}
        onChange={setName}
        error={fieldErrors(rename.error).name}
      />
    </Form>
  );
}

describe("Form", () => {
  it("submits without reloading and announces the API's error", () => {
    const mutation = idle({ error: new ApiError(400, "Wrong code") });
    render(
      <Form mutation={mutation} submit="Verify">
        <input aria-label="Code" />
      </Form>,
    );
    fireEvent.click(screen.getByRole("button", { name: "Verify" }));
    expect(mutation.mutate).toHaveBeenCalledTimes(1);
    expect(screen.getByRole("alert").textContent).toBe("Wrong code");
  });

  it("disables its button while the answer is pending, or when told to", () => {
    render(
      <>
        <Form mutation={idle({ isPending: true })} submit="Sign in">
          <span />
        </Form>
        <Form mutation={idle()} disabled submit="Reset">
          <span />
        </Form>
        <Form mutation={idle()} submit="Send">
          <span />
        </Form>
      </>,
    );
    const disabled = (name: string) =>
      screen.getByRole("button", { name }).hasAttribute("disabled");
    expect([disabled("Sign in"), disabled("Reset"), disabled("Send")]).toEqual([true, true, false]);
  });

  it("puts extra actions beside the submit button, without submitting", () => {
    const mutation = idle();
    const cancel = vi.fn();
    render(
      <Form
        mutation={mutation}
        submit="Save"
        actions={
          <button type="button" onClick={cancel}>
            Cancel
          </button>
        }
      >
        <span />
      </Form>,
    );
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(cancel).toHaveBeenCalledTimes(1);
    expect(mutation.mutate).not.toHaveBeenCalled();
  });

  it("inline: the fields and the button in one row, the API's error below them", () => {
    const mutation = idle({ error: new ApiError(409, "Already taken") });
    render(
      <Form mutation={mutation} submit="Filter" inline>
        <input aria-label="Action" />
      </Form>,
    );
    const form = screen.getByRole("button", { name: "Filter" }).closest("form");
    const row = [...(form?.children ?? [])].map(
      (child) => child.textContent || child.getAttribute("aria-label"),
    );
    expect(row).toEqual(["Action", "Filter", "Already taken"]);
    fireEvent.submit(screen.getByLabelText("Action"));
    expect(mutation.mutate).toHaveBeenCalledTimes(1);
    cleanup();
    render(
      <Form mutation={idle()} submit="Filter" inline>
        <input aria-label="Action" />
      </Form>,
    );
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("runs the mutation and shows its field errors next to the field", async () => {
    const run = vi.fn(() =>
      Promise.reject(
        new ApiError(422, "Check the fields", "validation_error", { name: "Name is too long" }),
      ),
    );
    render(
      <QueryClientProvider client={new QueryClient()}>
        <Rename run={run} />
      </QueryClientProvider>,
    );
    fireEvent.change(screen.getByLabelText("Name"), { target: { value: "Ada" } });
    fireEvent.click(screen.getByRole("button", { name: "Rename" }));
    await waitFor(() => expect(screen.getByText("Name is too long")).toBeTruthy());
    expect(run).toHaveBeenCalledWith("Ada");
    const input = screen.getByLabelText("Name");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(input.getAttribute("aria-describedby")).toBe("name-error");
  });
});
