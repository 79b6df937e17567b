"""Merging stays near-linear in the size of the file (issue 12, item 13).

A 12 MB generated file with the user's lines appended took minutes to merge:
the merged text was built by appending line after line to one string, and a
large stretch without unique lines went to difflib, quadratic in its size.
No test here times anything (benchmarks/merge_bench.py measures the curve,
docs/benchmarks.md has it): they merge files of that size correctly, and they
check the one quadratic step that is left, difflib, is only ever handed small
boxes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from difflib import SequenceMatcher

import pytest

from generator.merge import merge_file, text
from generator.merge.text import merge3, split_lines


@pytest.fixture
def difflib_boxes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The size (cells: lines of one side times lines of the other) of every box
    the merge hands to difflib."""
    cells: list[int] = []

    def recording(
        junk: None, a: Sequence[str], b: Sequence[str], **kw: bool
    ) -> SequenceMatcher[str]:
        cells.append(len(a) * len(b))
        return SequenceMatcher(junk, a, b, **kw)

    monkeypatch.setattr(text, "SequenceMatcher", recording)
    yield cells


def handlers(count: int, *, changed_every: int = 0) -> str:
    """A generated-looking module: many small functions sharing most lines."""
    lines: list[str] = []
    for i in range(count):
        lines += [
            f"def handler_{i}(request: Request) -> Response:\n",
            '    """Handle it."""\n',
            "    if request is None:\n",
            "        return None\n",
        ]
        if changed_every and i % changed_every == 0:
            lines.append("    audit(request)\n")
        lines += [f"    value = compute({i})\n", "    return value\n", "\n", "\n"]
    return "".join(lines)


def test_a_large_generated_file_with_appended_user_lines_merges(
    difflib_boxes: list[int],
) -> None:
    base = handlers(25_000)  # 200,000 lines, 6 MB
    theirs = handlers(25_000, changed_every=50)
    ours = base + "".join(f"user_{k} = {k}\n" for k in range(20))
    lines = merge3(base, ours, theirs)
    assert lines.text() == theirs + "".join(f"user_{k} = {k}\n" for k in range(20))
    assert max(difflib_boxes, default=0) <= text._DIFFLIB_CELLS


def test_the_whole_file_merge_of_a_large_module() -> None:
    # Regions, the indentation check and compiling the result on top of the
    # line merge; benchmarks/merge_bench.py has the curve.
    base = handlers(6_000)  # 48,000 lines
    theirs = handlers(6_000, changed_every=50)
    result = merge_file("backend/app/big.py", base, base + "X = 1\n", theirs)
    assert result.text() == theirs + "X = 1\n"


def test_a_large_stretch_without_unique_lines_is_not_handed_to_difflib(
    difflib_boxes: list[int],
) -> None:
    rows = [f"    {i % 7},\n" for i in range(64_000)]
    changed = list(rows)
    for i in range(500, len(rows), 997):
        changed[i] = "    99,\n"
    base = "DATA = [\n" + "".join(rows) + "]\n"
    theirs = "DATA = [\n" + "".join(changed) + "]\n"
    ours = base + "EXTRA = 1\n"
    result = merge3(base, ours, theirs)
    assert result.clean
    assert result.text() == theirs + "EXTRA = 1\n"
    # The whole stretch would be 64,000 x 64,000 cells.
    assert max(difflib_boxes, default=0) <= text._DIFFLIB_CELLS


def test_rarest_lines_align_a_large_box_so_both_sides_still_merge() -> None:
    # No line is unique, but both sides change different places far apart:
    # the rarest lines cut the box and the two changes merge cleanly.
    rows = [f"    {i % 5},\n" if i % 400 else "    # section\n" for i in range(4_000)]
    rows += rows  # every line now occurs at least twice
    ours, theirs = list(rows), list(rows)
    ours[10] = "    'mine',\n"
    theirs[7_990] = "    'template',\n"
    result = merge3("".join(rows), "".join(ours), "".join(theirs))
    assert result.clean
    merged = split_lines(result.text())
    assert merged[10] == "    'mine',\n"
    assert merged[7_990] == "    'template',\n"
