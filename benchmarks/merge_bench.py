"""Benchmark the three-way merge on large files: lines against seconds.

Issue 12, item 13: a 12 MB generated file with the user's lines appended
took minutes per plan. This script times ``generator.merge.merge_file``
(what ``dayone plan`` runs for a file both the user and the template
changed) on two shapes of file, for each size:

* ``module``: a generated-looking Python module of small functions that
  share most of their lines; the template adds a line to every 50th
  function, the user appends 20 lines at the end;
* ``data``: one long list whose rows repeat a few values (no line is
  unique); the template changes every 997th row, the user appends a line.

Each timing is the median of --repeat runs (CPU time of this process).
``--source DIR`` times the ``generator`` package found in DIR instead of
this checkout's, e.g. an older commit exported with
``git archive COMMIT generator | tar -x -C DIR``. Run:

    python benchmarks/merge_bench.py --sizes 5000 10000 40000 160000 400000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def module(lines: int, *, changed: bool) -> str:
    out: list[str] = []
    i = 0
    while len(out) < lines:
        out += [
            f"def handler_{i}(request: Request) -> Response:\n",
            '    """Handle it."""\n',
            "    if request is None:\n",
            "        return None\n",
        ]
        if changed and i % 50 == 0:
            out.append("    audit(request)\n")
        out += [f"    value = compute({i})\n", "    return value\n", "\n", "\n"]
        i += 1
    return "".join(out)


def data(lines: int, *, changed: bool) -> str:
    rows = [f"    {i % 7},\n" for i in range(lines)]
    if changed:
        for i in range(500, lines, 997):
            rows[i] = "    99,\n"
    return "DATA = [\n" + "".join(rows) + "]\n"


SHAPES = {
    "module": (module, "".join(f"user_{k} = {k}\n" for k in range(20))),
    "data": (data, "EXTRA = 1\n"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 10000, 40000, 160000])
    parser.add_argument("--shapes", nargs="+", choices=sorted(SHAPES), default=sorted(SHAPES))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--source", type=Path, default=REPO)
    parser.add_argument("--limit", type=float, default=120.0, help="skip larger sizes after this")
    args = parser.parse_args()
    sys.path.insert(0, str(args.source.resolve()))
    from generator.merge import merge_file

    print(f"{'shape':8} {'lines':>8} {'MB':>6} {'seconds':>9}  clean")
    for shape in args.shapes:
        make, appended = SHAPES[shape]
        for size in sorted(args.sizes):
            base = make(size, changed=False)
            theirs = make(size, changed=True)
            ours = base + appended
            timings = []
            for _ in range(args.repeat):
                start = time.process_time()
                result = merge_file("backend/app/big.py", base, ours, theirs)
                timings.append(time.process_time() - start)
            seconds = statistics.median(timings)
            megabytes = len(ours.encode()) / 1e6
            print(f"{shape:8} {size:8} {megabytes:6.1f} {seconds:9.3f}  {result.clean}")
            if seconds > args.limit:
                break


if __name__ == "__main__":
    main()
