"""Read a spec file: YAML with line numbers, pydantic validation, then cross checks.

Every problem comes back as a ``SpecProblem`` with its key path and the line
it sits on, and all of them are raised together in one ``SpecError``.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from pathlib import Path as FilePath
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from generator.reading import MAX_SPEC_BYTES, ReadRefused, read_capped
from generator.spec.checks import check_spec
from generator.spec.models import RATE_PATTERN, Spec
from generator.spec.problems import Path, SpecError, SpecProblem, format_path, one_of, suggest


def load_spec(path: FilePath) -> Spec:
    """Load and validate the spec at ``path`` or raise ``SpecError``."""
    return parse_spec(read_spec(path), source=str(path))


def read_spec(path: FilePath) -> bytes:
    """The bytes of the spec file at ``path``: a regular file of at most 1 MB (at most
    that much is read, so a link to ``/dev/zero`` or a pipe cannot exhaust memory)."""
    try:
        return read_capped(path, name=str(path), cap=MAX_SPEC_BYTES)
    except (FileNotFoundError, NotADirectoryError):
        raise SpecError(
            [SpecProblem((), f"no spec file at {path}; create one (see examples/acme_crm.yaml)")]
        ) from None
    except ReadRefused as exc:
        fix = "pass the spec's YAML file, a regular file of at most 1 MB"
        raise SpecError([SpecProblem((), f"{exc.message}; {fix}")]) from None


def parse_spec(raw: bytes | str, *, source: str = "dayone.yaml") -> Spec:
    """Validate spec text. ``source`` names it in messages."""
    data, lines = _read_yaml(raw, source)
    try:
        spec = Spec.model_validate(data)
    except ValidationError as exc:
        problems = _from_pydantic(exc, data)
        problems += _rules_beyond(exc, data, [p.path for p in problems])
        raise SpecError([_at_line(p, lines) for p in problems], source=source) from None
    problems = check_spec(spec)
    if problems:
        raise SpecError([_at_line(p, lines) for p in problems], source=source)
    return spec


# --- the rules of a spec whose structure is wrong -----------------------------------------

# Rounds of repair before giving up on checking the rules (each round fixes every
# error pydantic reported, so one or two are the norm).
_REPAIR_ROUNDS = 4


def _rules_beyond(exc: ValidationError, data: Any, reported: list[Path]) -> list[SpecProblem]:
    """The cross-field problems a structural error would otherwise hide.

    A private copy of the data is repaired where pydantic found it wrong (a bad name
    gets a stand-in of the right shape, a bad optional value is dropped for its
    default), then the rules run on it. Their problems at, under or above a repaired
    key may be about the stand-in, not the user's text, and are left out. When the structure
    cannot be repaired (a required key is missing), only the structural problems are
    reported, as before.
    """
    repaired = copy.deepcopy(data)
    touched: set[Path] = set()
    stand_ins: dict[str, str] = {}  # stand-in -> the user's value, for the messages
    error: ValidationError | None = exc
    for _ in range(_REPAIR_ROUNDS):
        assert error is not None
        for detail in error.errors(include_url=False):
            path = _clean_loc(detail["loc"])
            if not _repair(repaired, path, detail, stand_ins):
                return []
            touched.add(path)
        try:
            spec = Spec.model_validate(repaired)
        except ValidationError as again:
            error = again
            continue
        seen = set(reported)
        return [
            SpecProblem(problem.path, _as_written(problem.message, stand_ins), problem.line)
            for problem in check_spec(spec)
            if problem.path not in seen and not any(_related(problem.path, t) for t in touched)
        ]
    return []


def _related(one: Path, other: Path) -> bool:
    """One key path holds the other (a rule about a list, e.g. "no plan has a
    price_id", may be about the item that was dropped from it)."""
    shorter = min(len(one), len(other))
    return one[:shorter] == other[:shorter]


def _as_written(message: str, stand_ins: dict[str, str]) -> str:
    """A rule's message with every quoted stand-in put back as the user wrote it."""
    for stand_in, original in stand_ins.items():
        message = message.replace(f"'{stand_in}'", f"'{original}'")
    return message


def _repair(data: Any, path: Path, error: ErrorDetails, stand_ins: dict[str, str]) -> bool:
    """Make the value at ``path`` valid in place; False when that is not possible."""
    if not path:
        return False
    parent = data
    for part in path[:-1]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return False
    key = path[-1]
    in_list = isinstance(parent, list) and isinstance(key, int) and 0 <= key < len(parent)
    if not in_list and not (isinstance(parent, dict) and key in parent):
        return False  # a missing required key: no stand-in
    value = parent[key]
    if error["type"] == "string_pattern_mismatch" and isinstance(value, str):
        stand_in = _stand_in(value, str((error.get("ctx") or {}).get("pattern")))
        if stand_in is not None:
            stand_ins[stand_in] = value
            parent[key] = stand_in
            return True
    if in_list:
        return False  # dropping an item would shift the paths of the ones after it
    del parent[key]  # optional keys fall back to their default; required ones fail next round
    return True


def _stand_in(value: str, pattern: str) -> str | None:
    """A value like ``value`` that matches ``pattern`` (names only), else None."""
    words = re.findall(r"[A-Za-z0-9]+", value) or ["x"]
    if pattern == r"^[A-Z][A-Za-z0-9]*$":
        name = "".join(w[:1].upper() + w[1:] for w in words)
        candidate = name if name[0].isalpha() else f"X{name}"
    elif pattern == r"^[a-z][a-z0-9_]*$":
        name = "_".join(w.lower() for w in words)
        candidate = name if name[0].isalpha() else f"x_{name}"
    else:
        return None
    return candidate if re.fullmatch(pattern, candidate) else None


# libyaml's reader when PyYAML was built with it: several times faster on a big spec.
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(raw: bytes | str, source: str) -> tuple[Any, dict[Path, int]]:
    if len(raw) > MAX_SPEC_BYTES:
        raise SpecError([SpecProblem((), "the spec is larger than 1 MB")], source=source)
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise SpecError(
            [SpecProblem((), f"not UTF-8 text (byte {exc.start}); save the file as UTF-8")],
            source=source,
        ) from None
    try:
        node = yaml.compose(text, Loader=FAST_LOADER)
    except yaml.YAMLError:
        node = None  # parsed again below by the Python reader, whose messages are clearer
    if node is None:
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            raise SpecError([_yaml_problem(exc)], source=source) from None
    if node is None:
        raise SpecError(
            [SpecProblem((), "the spec is empty; it needs at least a 'project' with a 'name'")],
            source=source,
        )
    lines: dict[Path, int] = {}
    duplicates: list[SpecProblem] = []
    _index_lines(node, (), lines, duplicates)
    if duplicates:
        raise SpecError(duplicates, source=source)
    loader = yaml.SafeLoader("")
    try:
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise SpecError([_yaml_problem(exc)], source=source) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise SpecError(
            [SpecProblem((), "the spec must be a mapping with a 'project' key at the top")],
            source=source,
        )
    return data, lines


_NAME_TAGS = frozenset({"tag:yaml.org,2002:str", "tag:yaml.org,2002:merge"})
_KEY_KINDS = {
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "true/false",
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:timestamp": "a date",
}


def _yaml_problem(exc: yaml.YAMLError) -> SpecProblem:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    if context and problem.startswith("but "):  # "but found another document"
        problem = f"{context}, {problem}"
    return SpecProblem((), f"invalid YAML: {problem}", line)


def _index_lines(
    node: yaml.Node, path: Path, lines: dict[Path, int], duplicates: list[SpecProblem]
) -> None:
    """Record the line of every key path; report keys given twice or that are not names."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                duplicates.append(
                    SpecProblem(
                        path,
                        "a key must be a plain name, not a list or mapping",
                        key_node.start_mark.line + 1,
                    )
                )
                continue
            if key_node.tag not in _NAME_TAGS:
                duplicates.append(
                    SpecProblem(
                        (*path, key_node.value),
                        f"YAML reads the key '{key_node.value}' as "
                        f"{_KEY_KINDS.get(key_node.tag, 'a tagged value')}, not a name; "
                        "quote it or rename it",
                        key_node.start_mark.line + 1,
                    )
                )
                continue
            key = key_node.value
            child = (*path, key)
            if key in seen:
                duplicates.append(
                    SpecProblem(
                        child, "this key is given twice; keep one", key_node.start_mark.line + 1
                    )
                )
            seen.add(key)
            lines[child] = key_node.start_mark.line + 1
            _index_lines(value_node, child, lines, duplicates)
            lines[child] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index_lines(item, (*path, index), lines, duplicates)


def _at_line(problem: SpecProblem, lines: dict[Path, int]) -> SpecProblem:
    path = problem.path
    while path and path not in lines:
        path = path[:-1]
    return SpecProblem(problem.path, problem.message, lines.get(path))


# --- pydantic errors as spec problems --------------------------------------------------------

_PATTERN_HINTS = {
    r"^[A-Z][A-Za-z0-9]*$": "must be a PascalCase name of letters and digits, e.g. 'SupportTicket'",
    r"^[a-z][a-z0-9_]*$": "must be snake_case: lowercase letters, digits and '_', starting "
    "with a letter",
    RATE_PATTERN: "must be a rate such as '1000/hour' or '50/15m': a count, '/', and a "
    "period (s, m, h, d, second, minute, hour or day), optionally with a count of periods",
}
_UNION_TAGS = frozenset({"str", "int", "float", "bool", "none", "list[str]", "function-after"})


def _from_pydantic(exc: ValidationError, data: Any) -> list[SpecProblem]:
    problems: dict[Path, SpecProblem] = {}
    for error in exc.errors(include_url=False):
        path = _clean_loc(error["loc"])
        if path in problems:
            continue  # one message per key: union members all fail for the same reason
        problems[path] = SpecProblem(path, _message(error, path, data))
    return list(problems.values())


def _clean_loc(loc: tuple[str | int, ...]) -> Path:
    """Drop pydantic's union and validator tags from a location."""
    return tuple(
        part
        for part in loc
        if not (
            isinstance(part, str)
            and (part in _UNION_TAGS or part.startswith(("literal[", "constrained-str")))
        )
    )


def _message(error: ErrorDetails, path: Path, data: Any) -> str:
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        known = _known_keys(path[:-1])
        return (
            f"unknown key '{path[-1]}'{suggest(str(path[-1]), known)}; allowed keys: "
            + ", ".join(known)
        )
    if kind == "missing":
        return "this key is required"
    if kind == "literal_error":
        # pydantic words it as "'a', 'b' or 'c'"
        words = str(ctx.get("expected", "")).replace(" or ", ", ").split(", ")
        expected = [w.strip().strip("'") for w in words]
        return (
            f"'{value}' is not allowed{suggest(str(value), expected)}; "
            f"use one of {one_of(expected)}"
        )
    if kind == "string_pattern_mismatch":
        hint = _PATTERN_HINTS.get(str(ctx.get("pattern")), f"must match {ctx.get('pattern')}")
        return f"'{value}' {hint}"
    if kind in {"string_type", "int_type", "bool_type", "float_type", "list_type", "dict_type"}:
        wanted = {
            "string_type": "a string",
            "int_type": "a whole number",
            "bool_type": "true or false",
            "float_type": "a number",
            "list_type": "a list",
            "dict_type": "a mapping",
        }[kind]
        shown = "null" if value is None else repr(value)
        if isinstance(value, dt.date):
            shown = value.isoformat()
        hint = ""
        if kind == "string_type" and isinstance(value, bool):
            hint = " (YAML reads yes/no/on/off/true/false as booleans: quote it)"
        elif kind == "string_type" and isinstance(value, dt.date):
            hint = " (YAML reads an unquoted date as a date: quote it, e.g. '2024-01-31')"
        return f"expected {wanted}, got {shown}{hint}"
    if kind == "model_type" or kind == "model_attributes_type":
        return f"expected a mapping of keys, got {value!r}"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} item(s)"
    if kind == "too_long":
        return f"allows at most {ctx.get('max_length')} item(s)"
    if kind.startswith("string_too"):
        return error["msg"].replace("String", "the text")
    return f"{error['msg']} (got {value!r})"


def _known_keys(path: Path) -> list[str]:
    """The keys allowed at a spec location, for 'unknown key' messages."""
    model: type[BaseModel] = Spec
    for part in path:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return []
        found = _model_in(field.annotation)
        if found is None:
            return []
        model = found
    return list(model.model_fields)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


__all__ = ["format_path", "load_spec", "parse_spec", "read_spec"]
