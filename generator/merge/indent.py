"""Indentation styles of Python modules, and re-indenting one to another's style.

A user may re-indent a generated module with tabs or two spaces. The
template keeps rendering four spaces, so a line merge would glue four-space
lines into a tab-indented block. ``restyle`` gives BASE and THEIRS the
user's style first, when that is unambiguous: every indented line of each
text is a whole number of its unit. Lines inside multi-line strings keep
their whitespace, which is content.
"""

from __future__ import annotations

import io
import re
import tokenize
from math import gcd

from generator.merge.text import split_lines


def _string_lines(text: str) -> set[int] | None:
    """0-based indexes of lines that continue a multi-line string; None if untokenizable."""
    inside: set[int] = set()
    opened: list[int] = []  # start rows of f-strings being read (Python 3.12 tokens)
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            name = tokenize.tok_name[token.type]
            if name == "FSTRING_START":
                opened.append(token.start[0])
            elif name == "FSTRING_END" and opened:
                inside.update(range(opened.pop(), token.end[0]))
            elif token.type == tokenize.STRING:
                inside.update(range(token.start[0], token.end[0]))
    except (tokenize.TokenError, SyntaxError):
        return None
    # A string on 1-based rows s..e: rows s+1..e start inside it, and those
    # are the 0-based indexes s..e-1 that the ranges above hold.
    return inside


def _indented(text: str) -> list[tuple[int, str]] | None:
    """``(index, leading whitespace)`` of the lines whose indentation is code."""
    strings = _string_lines(text)
    if strings is None:
        return None
    found = []
    for index, line in enumerate(split_lines(text)):
        if index in strings or not line.strip():
            continue
        body = line.lstrip(" \t")
        if len(body) < len(line):
            found.append((index, line[: len(line) - len(body)]))
    return found


def style(text: str) -> str | None:
    """The indentation unit of ``text`` (a tab, or N spaces); None when mixed or unknown."""
    indented = _indented(text)
    if not indented:
        return None
    prefixes = {prefix for _, prefix in indented}
    if all(set(prefix) == {"\t"} for prefix in prefixes):
        return "\t"
    if all(set(prefix) == {" "} for prefix in prefixes):
        width = gcd(*(len(prefix) for prefix in prefixes))
        return " " * width if width > 1 else None  # odd alignments tell nothing
    return None


def _convert(text: str, old: str, new: str) -> str | None:
    """``text`` with each code indentation of k ``old`` units made k ``new`` units."""
    indented = _indented(text)
    if indented is None:
        return None
    lines = split_lines(text)
    for index, prefix in indented:
        depth, rest = divmod(len(prefix), len(old))
        if rest or prefix != old * depth:
            return None
        lines[index] = new * depth + lines[index][len(prefix) :]
    return "".join(lines)


_INDENT = re.compile(r"^[ \t]+(?=[^ \t\r\n])", re.MULTILINE)


def _sketch(text: str) -> tuple[bool, int]:
    """Whether any line starts with a tab, and the gcd of the space indents.

    A quick look that tokenizes nothing: two texts with the same sketch
    share their style, and most merges stop there.
    """
    prefixes = set(_INDENT.findall(text))
    tabs = any("\t" in prefix for prefix in prefixes)
    return tabs, gcd(*(prefix.count(" ") for prefix in prefixes))


def restyle(base: str, ours: str, theirs: str) -> tuple[str, str] | None:
    """BASE and THEIRS in OURS' indentation, or None when there is nothing
    unambiguous to do (same style already, a mixed style, or a line that is
    not a whole number of units)."""
    if _sketch(ours) == _sketch(theirs):
        return None
    target = style(ours)
    source = style(theirs)
    if target is None or source is None or target == source:
        return None
    if style(base) not in (source, None):
        return None
    new_base = _convert(base, source, target)
    new_theirs = _convert(theirs, source, target)
    if new_base is None or new_theirs is None:
        return None
    return new_base, new_theirs


def follow(merged: str, ours: str) -> str:
    """``merged`` in OURS' indentation when it has another single style.

    The structural merge formats its result with ruff, which indents with
    four spaces whatever the file used.
    """
    target, current = style(ours), style(merged)
    if target is None or current is None or target == current:
        return merged
    converted = _convert(merged, current, target)
    return merged if converted is None else converted
