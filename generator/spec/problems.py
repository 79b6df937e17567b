"""One problem in a spec, and the error that carries all of them."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from msgspec import Struct

from generator.errors import DayOneError

Path = tuple[str | int, ...]


class SpecProblem(Struct, frozen=True, order=True):
    """A message about the value at ``path`` (e.g. ``('entities', 1, 'fields', 2, 'type')``)."""

    path: Path
    message: str
    line: int | None = None

    @property
    def where(self) -> str:
        return format_path(self.path)

    def render(self, source: str | None = None) -> str:
        location = f"{source}:{self.line}: " if source and self.line else ""
        where = f"{self.where}: " if self.path else ""
        return f"{location}{where}{self.message}"


class SpecError(DayOneError):
    """The spec is invalid; ``problems`` lists every problem found, in file order."""

    def __init__(self, problems: Sequence[SpecProblem], *, source: str | None = None) -> None:
        self.problems = tuple(sorted(problems, key=lambda p: (p.line or 0, p.where, p.message)))
        self.source = source
        count = len(self.problems)
        header = f"{source or 'the spec'} has {count} problem{'s' if count != 1 else ''}:"
        lines = [header, *(f"  {p.render(source)}" for p in self.problems)]
        super().__init__("\n".join(lines), hint="Fix these and run `dayone spec validate` again.")


def format_path(path: Path) -> str:
    """('entities', 1, 'fields', 2, 'type') -> 'entities[1].fields[2].type'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def suggest(value: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' when a close match exists, else ''."""
    matches = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{matches[0]}'?)" if matches else ""


def one_of(choices: Iterable[str]) -> str:
    return ", ".join(f"'{c}'" for c in choices)
