"""Versions of the tools whose output Day One caches.

Kept apart and light: the render cache's key needs the formatter's version in
every command, and reading installed package metadata (``importlib.metadata``
parses every ``METADATA`` file as an e-mail) is not cheap.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from functools import cache
from pathlib import Path


@cache
def ruff_bin() -> str:
    """The ruff executable that formats generated code (the ``ruff`` package's)."""
    from ruff.__main__ import find_ruff_bin  # type: ignore[attr-defined]

    return os.fsdecode(find_ruff_bin())


@cache
def formatter_version() -> str:
    """The version of ruff, from the name of its ``.dist-info`` folder beside the
    package (importing ``ruff`` costs nothing: it is an empty module)."""
    import ruff

    site = Path(ruff.__file__ or "").resolve().parent.parent
    for entry in site.glob("ruff-*.dist-info"):
        found = re.fullmatch(r"ruff-(.+)\.dist-info", entry.name)
        if found:
            return found[1]
    from importlib.metadata import version as installed

    return installed("ruff")


class FormatError(Exception):
    """ruff could not parse one of the sources: which, where, and why."""

    def __init__(self, path: str, line: str | None, detail: str) -> None:
        super().__init__(f"{path}: {detail}")
        self.path, self.line, self.detail = path, line, detail


def ruff_format(
    sources: dict[str, str], line_length: int, settings: tuple[str, ...] = ("--isolated",)
) -> dict[str, str]:
    """``{path: source}`` formatted by one ``ruff format`` process over a scratch
    folder (ruff spreads the files over the CPUs). Raises FormatError."""
    if not sources:
        return {}
    names = {path: f"f{index}.py" for index, path in enumerate(sources)}
    with tempfile.TemporaryDirectory(prefix="dayone-format-") as scratch:
        folder = Path(scratch)
        for path, name in names.items():
            (folder / name).write_bytes(sources[path].encode("utf-8"))
        command = [ruff_bin(), "format", *settings, "--line-length", str(line_length)]
        result = subprocess.run(
            [*command, "--no-cache", "."],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            output = (result.stderr or result.stdout).strip()
            by_name = {name: path for path, name in names.items()}
            found = re.search(r"(f\d+\.py)(?::(\d+):\d+)?:?\s*(.*)", output)
            if found is None:
                raise FormatError("a Python file", None, output)
            raise FormatError(by_name.get(found[1], found[1]), found[2], found[3] or output)
        return {path: (folder / name).read_bytes().decode("utf-8") for path, name in names.items()}
