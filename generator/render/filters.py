"""Jinja filters that put spec text safely into each target language.

Everything a user wrote in the spec (names, descriptions, enum values) passes
through one of these on its way into a generated file, so that quotes,
backslashes, newlines and non-ASCII text can never break the file's syntax.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")
_MD_LINE_START = re.compile(r"^(\s*)([-=>]|\d+\.)", re.MULTILINE)


def _ascii_escapes(text: str) -> str:
    """``text`` with every character outside ASCII as a Python escape (the string's
    value is unchanged). Spec text is data: a Greek omicron or a no-break space in
    a project name must not read as an ``o`` or a space in the code (ruff's
    RUF001, RUF002 and RUF003 flag such look-alikes)."""
    return "".join(
        c
        if ord(c) < 0x80
        else f"\\x{ord(c):02x}"
        if ord(c) <= 0xFF
        else f"\\u{ord(c):04x}"
        if ord(c) <= 0xFFFF
        else f"\\U{ord(c):08x}"
        for c in text
    )


def py_literal(value: object) -> str:
    """A Python literal: strings double-quoted, in ASCII, escapes preserved."""
    if isinstance(value, str):
        return _ascii_escapes(json.dumps(value, ensure_ascii=False))
    if value is None or isinstance(value, bool | int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(py_literal(v) for v in value) + "]"
    raise TypeError(f"no Python literal for {type(value).__name__}")


def toml_string(value: str) -> str:
    """A TOML basic string (JSON's string escapes are a subset of TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def yaml_string(value: str) -> str:
    """A double-quoted YAML scalar."""
    return json.dumps(value, ensure_ascii=False)


def sql_string(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def markdown_text(value: str) -> str:
    """Text that Markdown shows as written: inline syntax escaped, line starts defused."""
    escaped = _MD_SPECIAL.sub(r"\\\1", value)
    return _MD_LINE_START.sub(r"\1\\\2", escaped)


def docstring_text(value: str) -> str:
    """Text safe inside a triple-quoted Python docstring, in ASCII (see ``_ascii_escapes``)."""
    return _ascii_escapes(value.replace("\\", "\\\\").replace('"', '\\"'))


def _natural(name: str) -> list[tuple[int, int | str]]:
    """Digits compared as numbers: Item2 before Item10."""
    return [(0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", name) if p]


def natural_sort(values: Iterable[Any], index: int | None = None) -> list[Any]:
    """``values`` (or their item ``index``) in natural order, as ruff's isort
    orders imported modules: item2 before item10."""
    return sorted(values, key=lambda v: _natural(v if index is None else v[index]))


def dunder_all(names: list[str]) -> list[str]:
    """``__all__``'s names in the order ruff's RUF022 wants (isort style):
    constants (XMLDOC) first, then classes (Contact), then the rest; each
    group in natural order."""

    def key(name: str) -> tuple[int, list[tuple[int, int | str]]]:
        cased = [c for c in name if c.isalpha()]
        if len(name) > 1 and cased and all(c.isupper() for c in cased):
            group = 0
        elif name[:1].isupper():
            group = 1
        else:
            group = 2
        return group, _natural(name)

    return sorted(names, key=key)


def one_line(value: str) -> str:
    """Collapse whitespace runs (newlines included) into single spaces."""
    return " ".join(value.split())


FILTERS = {
    "py": py_literal,
    "toml": toml_string,
    "yaml": yaml_string,
    "sql": sql_string,
    "md": markdown_text,
    "one_line": one_line,
    "doc": docstring_text,
    "dunder_all": dunder_all,
    "natural_sort": natural_sort,
}
