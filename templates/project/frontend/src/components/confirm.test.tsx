import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfirmButton } from "./confirm";

afterEach(cleanup);

function renderWithQueries(ui: React.ReactElement) {
  return render(<QueryClientProvider client={new QueryClient()}>{ui}</QueryClientProvider>);
}

describe("ConfirmButton", () => {
  it("asks before it runs, and runs once confirmed", async () => {
    const run = vi.fn(() => Promise.resolve());
    renderWithQueries(
      <ConfirmButton action="Revoke" name="CI key" run={run} invalidates={["k"]} />,
    );
    fireEvent.click(screen.getByRole("button", { name: "Revoke CI key" }));
    expect(run).not.toHaveBeenCalled();
    expect(screen.getByText("Revoke CI key?")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Confirm revoke" }));
    await waitFor(() => expect(run).toHaveBeenCalledTimes(1));
    await waitFor(() => expect(screen.getByRole("button", { name: "Revoke CI key" })).toBeTruthy());
  });

  it("cancels without running", () => {
    const run = vi.fn(() => Promise.resolve());
    renderWithQueries(<ConfirmButton name="Ada" run={run} invalidates={["k"]} />);
    fireEvent.click(screen.getByRole("button", { name: "Delete Ada" }));
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(run).not.toHaveBeenCalled();
    expect(screen.getByRole("button", { name: "Delete Ada" })).toBeTruthy();
  });
});
