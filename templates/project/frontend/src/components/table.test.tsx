import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PAGE_SIZE } from "../lib/rows";
import { Pager } from "./table";

afterEach(cleanup);

function button(name: string): HTMLButtonElement {
  return screen.getByRole("button", { name }) as HTMLButtonElement;
}

describe("Pager", () => {
  it("shows the rows of the page and moves by a page", () => {
    const onChange = vi.fn();
    render(<Pager offset={PAGE_SIZE} total={PAGE_SIZE * 2 + 1} onChange={onChange} />);
    expect(screen.getByRole("navigation", { name: "Pages" }).textContent).toContain(
      `${PAGE_SIZE + 1}–${PAGE_SIZE * 2} of ${PAGE_SIZE * 2 + 1}`,
    );
    fireEvent.click(button("Previous page"));
    fireEvent.click(button("Next page"));
    expect(onChange.mock.calls).toEqual([[0], [PAGE_SIZE * 2]]);
  });

  it("says when the list has more rows than the API counted", () => {
    const onChange = vi.fn();
    render(
      <Pager offset={PAGE_SIZE * 4} total={PAGE_SIZE * 2} exact={false} onChange={onChange} />,
    );
    expect(screen.getByRole("navigation", { name: "Pages" }).textContent).toContain(
      `${PAGE_SIZE * 4 + 1}–${PAGE_SIZE * 5} of more than ${PAGE_SIZE * 2}`,
    );
    fireEvent.click(button("Next page"));
    expect(onChange.mock.calls).toEqual([[PAGE_SIZE * 5]]);
  });

  it("cannot go before the first page or past the last", () => {
    render(<Pager offset={0} total={0} onChange={vi.fn()} />);
    expect(button("Previous page").disabled).toBe(true);
    expect(button("Next page").disabled).toBe(true);
    expect(screen.getByRole("navigation", { name: "Pages" }).textContent).toContain("0–0 of 0");
  });
});
