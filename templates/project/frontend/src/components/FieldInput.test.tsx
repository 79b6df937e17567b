import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import type { ReactElement } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FieldInput } from "./FieldInput";

afterEach(cleanup);

function renderField(ui: ReactElement) {
  return render(<QueryClientProvider client={new QueryClient()}>{ui}</QueryClientProvider>);
}

describe("FieldInput", () => {
  it("labels the input and ties the API's error to it", () => {
    renderField(
      <FieldInput
        orgId="org"
        field={{ name: "email", label: "Email", type: "email", required: true, nullable: false }}
        value=""
        onChange={() => {}}
        error="value is not a valid email address"
      />,
    );
    const input = screen.getByLabelText("Email");
    expect(input.getAttribute("type")).toBe("email");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    const describedBy = input.getAttribute("aria-describedby") ?? "";
    expect(document.getElementById(describedBy)?.textContent).toBe(
      "value is not a valid email address",
    );
  });

  it("offers an enum's values in a select", () => {
    const onChange = vi.fn();
    renderField(
      <FieldInput
        orgId="org"
        field={{
          name: "stage",
          label: "Stage",
          type: "enum",
          required: true,
          nullable: false,
          values: ["lead", "won"],
        }}
        value="lead"
        onChange={onChange}
      />,
    );
    fireEvent.change(screen.getByLabelText("Stage"), { target: { value: "won" } });
    expect(onChange).toHaveBeenCalledWith("won");
  });
});
