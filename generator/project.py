"""Read a generated project: its spec, its recorded baseline, its files on disk.

Reading only; nothing here writes. Every way the ``.dayone/`` folder can be
missing or damaged is a ``ProjectError`` that says what is wrong and how to
get out (usually ``dayone adopt``).
"""

from __future__ import annotations

import json
import os
import stat
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec import Struct

from generator.apply.paths import check_relative
from generator.errors import DayOneError, UnsafePathError
from generator.reading import MAX_FILE_BYTES, MAX_SPEC_BYTES, describe, read_capped
from generator.state import BASELINE_DIR, MANIFEST, MANIFEST_SCHEMA_VERSION, SPEC_FILE, sha256

if TYPE_CHECKING:
    from generator.spec import Spec

ADOPT_HINT = (
    "Run `dayone adopt {root}` to record the current render as the baseline "
    "(your files stay as they are and count as your edits)."
)


class ProjectError(DayOneError):
    """The folder is not a readable Day One project."""


class Baseline(Struct, frozen=True):
    generator_version: str
    spec_sha256: str
    files: dict[str, bytes]  # path -> what Day One last wrote there


@dataclass(frozen=True)
class Project:
    root: Path
    spec_bytes: bytes

    @property
    def spec_path(self) -> Path:
        return self.root / SPEC_FILE

    @cached_property
    def spec(self) -> Spec:
        """The validated spec; read on first use (a cached render does not need it)."""
        from generator.spec import parse_spec

        return _keep_legacy_slug(self.root, parse_spec(self.spec_bytes, source=str(self.spec_path)))

    @property
    def spec_sha256(self) -> str:
        return sha256(self.spec_bytes)


# The backend's pyproject: its name is the slug, dashed.
BASELINE_PYPROJECT = "backend/pyproject.toml"


def _keep_legacy_slug(root: Path, spec: Spec) -> Spec:
    """The spec, with the slug Day One 0.1.0 derived when the project was made with it.

    Slugs of names with letters outside ASCII are now transliterated ('Ünïcode' ->
    'unicode', was 'n_code'). A project whose baseline was rendered with the old slug
    keeps it, so regenerating never renames its package, image or platform apps.
    """
    from generator.spec.models import derive_slug, legacy_slug

    project = spec.project
    if project.slug is not None:
        return spec
    old = legacy_slug(project.name)
    if old == derive_slug(project.name):
        return spec
    try:
        baseline = tomllib.loads(
            (root / BASELINE_DIR / BASELINE_PYPROJECT).read_text(encoding="utf-8")
        )
        name = baseline["project"]["name"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return spec
    if name != old.replace("_", "-"):
        return spec
    return spec.model_copy(update={"project": project.model_copy(update={"slug": old})})


def load_project(root: Path) -> Project:
    root = root.absolute()
    if not root.is_dir():
        raise ProjectError(
            f"{root} is not a folder", hint="Pass the folder of a generated project."
        )
    spec_path = root / SPEC_FILE
    try:
        spec_bytes = read_capped(
            spec_path,
            name=str(spec_path),
            cap=MAX_SPEC_BYTES,
            hint=f"Make {SPEC_FILE} a regular file of at most {describe(MAX_SPEC_BYTES)}.",
        )
    except (FileNotFoundError, NotADirectoryError):
        raise ProjectError(
            f"{root} has no {SPEC_FILE}",
            hint="Pass the folder `dayone new` created (it holds dayone.yaml).",
        ) from None
    except OSError as exc:  # a folder at dayone.yaml, no permission, ...
        raise ProjectError(
            f"{spec_path} cannot be read: {exc.strerror or exc}",
            hint=f"{SPEC_FILE} must be a readable file: the project's spec.",
        ) from None
    return Project(root, spec_bytes)


def load_baseline(root: Path) -> Baseline:
    """The manifest and baseline copies, checked against each other."""
    root = root.absolute()
    hint = ADOPT_HINT.format(root=root)
    manifest_path = root / MANIFEST
    try:
        data = json.loads(read_capped(manifest_path, name=MANIFEST, hint=hint).decode("utf-8"))
    except (FileNotFoundError, NotADirectoryError):
        raise ProjectError(f"{root} has no baseline ({MANIFEST} is missing)", hint=hint) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProjectError(f"{MANIFEST} is damaged: {exc}", hint=hint) from None
    try:
        version = data["schema_version"]
        generator_version = str(data["generator"]["version"])
        spec_sha = str(data["spec_sha256"])
        hashes = {str(k): str(v) for k, v in data["files"].items()}
    except (KeyError, TypeError, AttributeError):
        raise ProjectError(f"{MANIFEST} is damaged: a required key is missing", hint=hint) from None
    if version != MANIFEST_SCHEMA_VERSION:
        raise ProjectError(
            f"{MANIFEST} has schema version {version}; this Day One reads "
            f"{MANIFEST_SCHEMA_VERSION}",
            hint="Use the Day One version that generated the project, or "
            + hint[0].lower()
            + hint[1:],
        )
    files: dict[str, bytes] = {}
    for rel, digest in sorted(hashes.items()):
        try:
            check_relative(rel)
        except UnsafePathError:
            raise ProjectError(f"{MANIFEST} names an unsafe path {rel!r}", hint=hint) from None
        content = _read_regular(root / BASELINE_DIR / rel, f"{BASELINE_DIR}/{rel}", hint)
        if content is None or sha256(content) != digest:
            raise ProjectError(
                f"the baseline copy of {rel} is missing or does not match {MANIFEST}",
                hint=hint,
            )
        files[rel] = content
    return Baseline(generator_version, spec_sha, files)


class DiskFiles(Struct, frozen=True):
    files: dict[str, bytes]  # path -> bytes, for the paths that exist as regular files
    symlinks: frozenset[str]  # paths where a symlink (or a folder) sits instead


def read_disk(root: Path, paths: Iterable[str]) -> DiskFiles:
    """Current bytes of ``paths`` under ``root``. Symlinks are never followed:
    a symlink at a generated path, or in a folder above it, is reported."""
    files: dict[str, bytes] = {}
    odd: set[str] = set()
    folders: dict[str, bool] = {}  # folder -> a symlink sits at it or above it
    for rel in sorted(set(paths)):
        check_relative(rel)
        path = root / rel
        if _through_symlink(root, rel.rpartition("/")[0], folders):
            odd.add(rel)
            continue
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            continue
        except NotADirectoryError:
            odd.add(rel)
            continue
        if not stat.S_ISREG(mode):
            odd.add(rel)
            continue
        files[rel] = read_capped(path, name=rel, hint=_TOO_LARGE_HINT)
    return DiskFiles(files, frozenset(odd))


def _through_symlink(root: Path, folder: str, seen: dict[str, bool]) -> bool:
    """Whether a symlink sits at ``folder`` (relative to ``root``) or a folder above
    it; ``seen`` remembers the answer for each folder asked about, parents included."""
    if not folder:
        return False
    if folder not in seen:
        parent = folder.rpartition("/")[0]
        if _through_symlink(root, parent, seen):
            seen[folder] = True
        else:
            try:
                seen[folder] = stat.S_ISLNK(os.lstat(root / folder).st_mode)
            except (FileNotFoundError, NotADirectoryError):
                seen[folder] = False
    return seen[folder]


def _read_regular(path: Path, name: str, hint: str) -> bytes | None:
    """The bytes of the regular file at ``path`` (None: absent, or not a regular file)."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        return read_capped(path, name=name, hint=hint)
    except (FileNotFoundError, NotADirectoryError):
        return None


_TOO_LARGE_HINT = (
    f"Day One reads and merges files of at most {describe(MAX_FILE_BYTES)}: "
    "move that file out of the project (or shrink it), then run the command again."
)
