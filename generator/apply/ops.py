"""What a plan asks of the apply, and what became of each request.

These live apart from :mod:`generator.apply.transaction` (which re-exports them) only
so that the journal can store them without a circular import.
"""

from __future__ import annotations

from typing import Literal

from msgspec import Struct

from generator.apply.fs import sha256_bytes

Status = Literal["applied", "refused"]


class FileOp(Struct, frozen=True):
    """One file change. ``expected_sha256`` guards against applying a stale plan.

    The plan was computed from what the project held when it was made; if the file
    no longer holds that (``None``: no file), the user changed it since, and writing
    over it could destroy their work, so the op is refused instead.
    """

    path: str
    content: bytes | None
    expected_sha256: str | None
    mode: int | None = None

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
