"""Merging Python modules: line by line first, statement by statement if that conflicts.

The structural merge (``generator.merge.structural``, built on libcst) only
runs when the line merge conflicts; libcst is imported (and ruff run) then, not
before, since most regenerations never need them.
"""

from __future__ import annotations

from generator.merge.text import MergeResult, merge3


def merge_python(base: str, ours: str, theirs: str, *, line_length: int = 88) -> MergeResult:
    """Merge a Python module; a clean line merge is returned untouched.

    Otherwise imports added on both sides are unioned, functions, classes and
    statements added on both sides are all kept, a statement changed on both
    sides stays a conflict, and nothing the merged code uses is removed; the
    structural result is formatted with ruff.
    """
    text_result = merge3(base, ours, theirs)
    if text_result.clean:
        return text_result
    from generator.merge.structural import structural_merge

    return structural_merge(base, ours, theirs, text_result, line_length)
