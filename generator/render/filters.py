"""Jinja filters that put spec text safely into each target language.

Everything a user wrote in the spec (names, descriptions, enum values) passes
through one of these on its way into a generated file, so that quotes,
backslashes, newlines and non-ASCII text can never break the file's syntax.
"""

from __future__ import annotations

import json
import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")
_MD_LINE_START = re.compile(r"^(\s*)([-=>]|\d+\.)", re.MULTILINE)


def py_literal(value: object) -> str:
    """A Python literal: strings double-quoted (black's style), escapes preserved."""
    if isinstance(value, str):
        return (
            json.dumps(value, ensure_ascii=False)
            .replace("\u2028", "\\u2028")
            .replace("\u2029", "\\u2029")
        )
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
    """Text safe inside a triple-quoted Python docstring."""
    return value.replace("\\", "\\\\").replace('"', '\\"')


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
}
