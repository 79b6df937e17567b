// The table skeleton every list page shares: a caption for screen readers,
// column headers, and a line when there is nothing to show.
import type { ReactNode } from "react";

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
