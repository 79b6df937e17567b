// The table skeleton every list page shares: a caption for screen readers,
// column headers, and a line when there is nothing to show.
import type { ReactNode } from "react";
import { PAGE_SIZE } from "../lib/rows";
import { Button } from "./ui";

export function Table({
  caption,
  columns,
  empty = "Nothing here yet.",
  count,
  children,
}: {
  caption: string;
  columns: readonly string[];
  empty?: string;
  count: number;
  children: ReactNode;
}) {
  if (count === 0) return <p>{empty}</p>;
  return (
    <table className="w-full border-collapse bg-white">
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column} scope="col" className="border-b p-2 text-left">
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

export function Cell({ children }: { children?: ReactNode }) {
  return <td className="border-b p-2">{children}</td>;
}

/** A date and time in the user's time zone, or a dash. */
export function When({ value }: { value: string | null | undefined }) {
  if (!value) return <>—</>;
  return <time dateTime={value}>{new Date(value).toLocaleString()}</time>;
}

/** Previous and next page of a list of `total` rows shown PAGE_SIZE at a time
 * from `offset`, with the rows the page holds. When the API counted only up to
 * its cap (`exact` false), the list has more than `total` rows. */
export function Pager({
  offset,
  total,
  exact = true,
  onChange,
}: {
  offset: number;
  total: number;
  exact?: boolean;
  onChange: (offset: number) => void;
}) {
  const end = exact ? Math.min(offset + PAGE_SIZE, total) : offset + PAGE_SIZE;
  return (
    <nav aria-label="Pages" className="mt-3 flex items-center gap-3">
      <Button
        variant="secondary"
        disabled={offset === 0}
        onClick={() => onChange(Math.max(0, offset - PAGE_SIZE))}
      >
        Previous page
      </Button>
      <span>
        {total === 0 ? 0 : offset + 1}–{end} of {exact ? total : `more than ${total}`}
      </span>
      <Button
        variant="secondary"
        disabled={exact && offset + PAGE_SIZE >= total}
        onClick={() => onChange(offset + PAGE_SIZE)}
      >
        Next page
      </Button>
    </nav>
  );
}
