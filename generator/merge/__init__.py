"""Three-way merge of regenerated files: BASE (last render), OURS (on disk), THEIRS (new render).

``merge_file`` is the entry point: managed regions are settled first (the
generator owns their bodies), then Python files get a statement-aware merge
(in the file's own indentation, and clean only if the result compiles) and
everything else a line merge.
"""

from __future__ import annotations

from generator.errors import RegionError
from generator.merge.indent import follow, restyle
from generator.merge.python import merge_python
from generator.merge.regions import PreparedMerge, find_regions, prepare, take_regions
from generator.merge.text import Conflict, MergeResult, merge3, split_lines

__all__ = [
    "Conflict",
    "MergeResult",
    "RegionError",
    "find_regions",
    "merge3",
    "merge_file",
    "merge_python",
    "take_regions",
]


def merge_file(path: str, base: str, ours: str, theirs: str) -> MergeResult:
    """Merge one file of a regenerated project.

    A Python file is only merged cleanly into something that compiles (when
    THEIRS does): if the user re-indented it, BASE and THEIRS are first given
    the user's indentation (``generator.merge.indent``); a clean result that
    still does not compile becomes one ``kind="python-syntax"`` conflict over
    the whole file, named after the error.

    Region conflicts (the user edited a region the generator also changed)
    come back as ``kind="region"`` conflicts in place of the region body, and
    the rest of the file is still merged, so the caller can write markers.
    Line ranges in the conflicts refer to the three texts passed in. In the
    rare case where the merge moved a disputed region's body around (the new
    render moved the region while the user edited near both places), the
    whole file becomes one conflict rather than risk losing the user's body.
    """
    if not path.endswith(".py"):
        return _merge(path, base, ours, theirs)
    restyled = restyle(base, ours, theirs)
    if restyled is not None:
        result = _merge(path, restyled[0], ours, restyled[1])
        if result.clean:
            text = follow(result.text(), ours)
            if _compile_error(text) is None:
                return MergeResult((text,) if text else ())
    result = _merge(path, base, ours, theirs)
    if not result.clean:
        return result
    error = _compile_error(result.text())
    if error is None or _compile_error(theirs) is not None:
        return result
    old, mine, new = (tuple(split_lines(text)) for text in (base, ours, theirs))
    spans = (0, len(old), 0, len(mine), 0, len(new))
    return MergeResult((Conflict(*spans, old, mine, new, kind="python-syntax", name=error),))


def _compile_error(source: str) -> str | None:
    """Why ``source`` does not compile as Python (``"IndentationError, line 7"``), or None."""
    try:
        compile(source.removeprefix("\ufeff"), "<merge>", "exec", dont_inherit=True)
    except SyntaxError as exc:
        return f"{type(exc).__name__}, line {exc.lineno}"
    except (ValueError, RecursionError, MemoryError) as exc:
        return type(exc).__name__
    return None


def _merge(path: str, base: str, ours: str, theirs: str) -> MergeResult:
    prepared = prepare(base, ours, theirs)
    if path.endswith(".py"):
        result = merge_python(prepared.base, prepared.ours, prepared.theirs)
        restored = prepared.restore(result)
        if restored is not None and _regions_intact(prepared, result):
            return restored
    restored = prepared.restore(merge3(prepared.base, prepared.ours, prepared.theirs))
    return prepared.whole_file_conflict() if restored is None else restored


def _regions_intact(prepared: PreparedMerge, result: MergeResult) -> bool:
    """Whether a Python merge kept the region markers balanced.

    The structural merge moves comments together with statements; should that
    ever break a region's markers, the plain line merge is used instead,
    because broken markers would make the next regeneration fail.
    """
    if not result.clean:
        return True
    try:
        merged = find_regions(result.text())
    except RegionError:
        return False
    managed = find_regions(prepared.ours).keys() & find_regions(prepared.theirs).keys()
    return managed <= merged.keys()
