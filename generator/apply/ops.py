"""What a plan asks of the apply, and what became of each request.

These live apart from :mod:`generator.apply.transaction` (which re-exports them) only
so that the journal can store them without a circular import.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from msgspec import Struct

from generator.apply.fs import sha256_bytes

Status = Literal["applied", "refused"]


class ManifestRecipe(Struct, frozen=True):
    """``manifest.json`` as it follows from the ops of one apply that were applied.

    The manifest must name exactly the baseline copies on disk, so its content cannot
    be fixed before the apply: a refused write keeps its path's old baseline copy, and
    with it that path's old hash. ``files`` is the manifest before the apply, updated by
    every applied op on a baseline copy (under ``baseline_dir``). The generator version
    and spec hash become ``advance_to`` only when every earlier op of the apply was
    applied; otherwise they stay as they were, so ``dayone check`` keeps reporting.
    """

    generator_version: str
    spec_sha256: str
    files: dict[str, str]
    baseline_dir: str
    advance_to: tuple[str, str] | None = None  # (generator version, spec sha256)

    def content(self, done: Iterable[tuple[FileOp, OpOutcome]]) -> bytes:
        from generator.state import Manifest

        files = dict(self.files)
        prefix = self.baseline_dir + "/"
        complete = True
        for op, outcome in done:
            if outcome.status != "applied":
                complete = False
                continue
            if op.path.startswith(prefix):
                rel = op.path.removeprefix(prefix)
                if op.new_sha256 is None:
                    files.pop(rel, None)
                else:
                    files[rel] = op.new_sha256
        version, spec = (self.generator_version, self.spec_sha256)
        if complete and self.advance_to is not None:
            version, spec = self.advance_to
        return Manifest(version, spec, files).to_bytes()


class FileOp(Struct, frozen=True):
    """One file change. ``expected_sha256`` guards against applying a stale plan.

    The plan was computed from what the project held when it was made; if the file
    no longer holds that (``None``: no file), the user changed it since, and writing
    over it could destroy their work, so the op is refused instead.

    ``requires``: the path of an earlier op of the same apply that must have been
    applied for this one to run (a baseline copy records its project file's write, so
    it advances only with it). ``manifest``: the content is not fixed but computed from
    the outcomes of the earlier ops when the op runs (``content`` is then ``None``).
    """

    path: str
    content: bytes | None
    expected_sha256: str | None
    mode: int | None = None
    requires: str | None = None
    manifest: ManifestRecipe | None = None

    @property
    def new_sha256(self) -> str | None:
        """What the file holds once the op is done (``None``: no file)."""
        return None if self.content is None else sha256_bytes(self.content)


class OpOutcome(Struct, frozen=True):
    """What happened to one op; ``reason`` says why for refusals, what was done else."""

    path: str
    status: Status
    reason: str


def short(sha: str | None) -> str:
    """A hash as people read it in messages; ``None`` is the absence of a file."""
    return "no file" if sha is None else f"sha256 {sha[:12]}…"
