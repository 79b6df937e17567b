"""Managed regions: stretches of a file that the generator owns.

A template marks them with comment lines::

    # dayone:begin routers
    api_router.include_router(auth.router)
    # dayone:end routers

(or ``<!-- dayone:begin NAME -->`` in Markdown and HTML). On regeneration the
new render's body wins over whatever is on disk, so lists the generator keeps
(routers, settings, dependencies) never produce merge conflicts. The one
exception is a body the user edited: that edit is reported as a conflict
instead of being overwritten.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from msgspec import Struct
from msgspec.structs import replace

from generator.errors import RegionError
from generator.merge.text import Conflict, MergeResult, join_chunks, split_lines

_NAME = r"[A-Za-z0-9_.-]+"
_MARKER = re.compile(r"[ \t]*(?P<open>#|<!--)[ \t]*dayone:(?P<verb>begin|end)(?P<rest>.*)")
_HASH_TAIL = re.compile(rf"[ \t]+(?P<name>{_NAME})[ \t]*")
_HTML_TAIL = re.compile(rf"[ \t]+(?P<name>{_NAME})[ \t]*-->[ \t]*")
_HINT = (
    "Restore the dayone:begin/dayone:end lines as the generator wrote them, "
    "or delete both markers of a region to take that region over."
)


class Region(Struct, frozen=True):
    """A managed region; line numbers are 0-based indexes of the marker lines."""

    name: str
    begin_line: int
    end_line: int
    body: tuple[str, ...]


def _marker(line: str, number: int) -> tuple[str, str] | None:
    """``(verb, name)`` when ``line`` is a marker, ``None`` for ordinary lines."""
    match = _MARKER.fullmatch(line.rstrip("\r\n"))
    if match is None:
        return None
    tail = (_HASH_TAIL if match["open"] == "#" else _HTML_TAIL).fullmatch(match["rest"])
    if tail is None:
        raise RegionError(
            f"line {number}: malformed 'dayone:{match['verb']}' marker {line.strip()!r}: "
            "a region name of letters, digits, '_', '.' or '-' must follow",
            hint=_HINT,
        )
    return match["verb"], tail["name"]


def find_regions(text: str) -> dict[str, Region]:
    """All managed regions of ``text`` by name.

    Raises ``RegionError`` (naming the 1-based line) when markers are nested,
    unbalanced or reuse a name: guessing the owner of such lines could
    overwrite the user's code.
    """
    lines = split_lines(text)
    regions: dict[str, Region] = {}
    opened: tuple[str, int] | None = None
    for index, line in enumerate(lines):
        # Most lines are not markers: a substring test spares them the regex.
        marker = _marker(line, index + 1) if "dayone:" in line else None
        if marker is None:
            continue
        verb, name = marker
        if verb == "begin":
            if opened is not None:
                raise RegionError(
                    f"line {index + 1}: region '{name}' begins inside region '{opened[0]}' "
                    f"(opened on line {opened[1] + 1}); regions cannot nest",
                    hint=_HINT,
                )
            if name in regions:
                raise RegionError(
                    f"line {index + 1}: duplicate region '{name}' "
                    f"(already defined on line {regions[name].begin_line + 1})",
                    hint=_HINT,
                )
            opened = (name, index)
        elif opened is None:
            raise RegionError(
                f"line {index + 1}: 'dayone:end {name}' without a matching 'dayone:begin {name}'",
                hint=_HINT,
            )
        elif opened[0] != name:
            raise RegionError(
                f"line {index + 1}: 'dayone:end {name}' does not close region '{opened[0]}' "
                f"(opened on line {opened[1] + 1})",
                hint=_HINT,
            )
        else:
            regions[name] = Region(name, opened[1], index, tuple(lines[opened[1] + 1 : index]))
            opened = None
    if opened is not None:
        raise RegionError(
            f"line {opened[1] + 1}: region '{opened[0]}' has no 'dayone:end {opened[0]}'",
            hint=_HINT,
        )
    return regions


def _regions_of(text: str, label: str) -> dict[str, Region]:
    """``find_regions`` whose errors say which of the three versions is broken."""
    try:
        return find_regions(text)
    except RegionError as error:
        raise RegionError(f"{label}: {error.message}", hint=error.hint) from error


class _Claim(Struct, frozen=True):
    """One region present in both OURS and THEIRS, which the generator claims."""

    base: Region | None
    ours: Region
    theirs: Region

    @property
    def disputed(self) -> bool:
        """The user edited the body and the generator now wants something else."""
        if self.ours.body == self.theirs.body:
            return False
        return self.base is None or self.ours.body != self.base.body

    def conflict(self) -> Conflict:
        base_start = base_end = 0
        if self.base is not None:
            base_start, base_end = self.base.begin_line + 1, self.base.end_line
        return Conflict(
            base_start=base_start,
            base_end=base_end,
            ours_start=self.ours.begin_line + 1,
            ours_end=self.ours.end_line,
            theirs_start=self.theirs.begin_line + 1,
            theirs_end=self.theirs.end_line,
            base=() if self.base is None else self.base.body,
            ours=self.ours.body,
            theirs=self.theirs.body,
            kind="region",
            name=self.theirs.name,
        )


def _claims(base: str, ours: str, theirs: str) -> list[_Claim]:
    base_regions = _regions_of(base, "baseline")
    ours_regions = _regions_of(ours, "your file")
    theirs_regions = _regions_of(theirs, "new render")
    return [
        _Claim(base_regions.get(name), ours_regions[name], region)
        for name, region in theirs_regions.items()
        if name in ours_regions
    ]


def _body_span(region: Region) -> tuple[int, int]:
    return region.begin_line + 1, region.end_line


class _LineMap(Struct, frozen=True):
    """Maps line indexes of an edited text back to the text it was made from.

    ``spans`` holds ``(old_start, old_end, new_start, new_end)`` for each
    replaced stretch, in order; lines outside them shift by a constant.
    """

    spans: tuple[tuple[int, int, int, int], ...]

    def old(self, index: int, *, end: bool) -> int:
        """The original index; a boundary inside a replaced stretch widens to cover it."""
        shift = 0
        for old_start, old_end, new_start, new_end in self.spans:
            if index <= new_start:
                break
            if index < new_end:
                return old_end if end else old_start
            shift = old_end - new_end
        return index + shift


def _splice(text: str, edits: dict[tuple[int, int], Sequence[str]]) -> tuple[str, _LineMap]:
    """Replace line ranges of ``text`` (keys, non-overlapping) by new lines."""
    lines = split_lines(text)
    out: list[str] = []
    spans: list[tuple[int, int, int, int]] = []
    position = 0
    for (start, end), new in sorted(edits.items()):
        out.extend(lines[position:start])
        spans.append((start, end, len(out), len(out) + len(new)))
        out.extend(new)
        position = end
    out.extend(lines[position:])
    return "".join(out), _LineMap(tuple(spans))


def take_regions(base: str, ours: str, theirs: str) -> tuple[str, str, tuple[Conflict, ...]]:
    """Give THEIRS' region bodies to OURS and BASE, so a later merge sees no change there.

    Returns ``(new_base, new_ours, conflicts)``. A region whose body the user
    edited (and which the new render does not already match) is left alone in
    both texts and reported as a ``kind="region"`` conflict. Regions missing
    from OURS or from THEIRS are left to the ordinary three-way merge.
    """
    base_edits: dict[tuple[int, int], Sequence[str]] = {}
    ours_edits: dict[tuple[int, int], Sequence[str]] = {}
    conflicts: list[Conflict] = []
    for claim in _claims(base, ours, theirs):
        if claim.disputed:
            conflicts.append(claim.conflict())
            continue
        ours_edits[_body_span(claim.ours)] = claim.theirs.body
        if claim.base is not None:
            base_edits[_body_span(claim.base)] = claim.theirs.body
    new_base, _ = _splice(base, base_edits)
    new_ours, _ = _splice(ours, ours_edits)
    return new_base, new_ours, tuple(conflicts)


class PreparedMerge(Struct, frozen=True):
    """The three texts to hand to a merge once regions are settled.

    Undisputed regions carry THEIRS' body everywhere, as in ``take_regions``.
    The body of each disputed region is replaced, in all three texts, by the
    same placeholder comment line: the merge then treats it as unchanged,
    whatever it does around it (even reformatting Python), and ``restore``
    swaps the placeholder for the region conflict afterwards.
    """

    base: str
    ours: str
    theirs: str
    placeholders: dict[str, Conflict]
    maps: tuple[_LineMap, _LineMap, _LineMap]
    originals: tuple[str, str, str]

    def whole_file_conflict(self) -> MergeResult:
        """The last resort when a merge moved a disputed region's placeholder
        around: one conflict over the three complete files, so nothing is lost."""
        base, ours, theirs = (tuple(split_lines(text)) for text in self.originals)
        conflict = Conflict(0, len(base), 0, len(ours), 0, len(theirs), base, ours, theirs)
        return MergeResult((conflict,))

    def restore(self, result: MergeResult) -> MergeResult | None:
        """``result`` with the region conflicts back and line ranges of the caller's inputs.

        ``None`` when the merge did not keep each placeholder exactly once on
        OURS' side, which would otherwise lose or duplicate the user's edit.
        """
        kept = [
            line.strip()
            for chunk in result.chunks
            for line in (split_lines(chunk) if isinstance(chunk, str) else chunk.ours)
        ]
        if any(kept.count(key) != 1 for key in self.placeholders):
            return None
        chunks: list[str | Conflict] = []
        for chunk in result.chunks:
            if isinstance(chunk, Conflict):
                chunks.append(self._restore_conflict(chunk))
                continue
            for line in split_lines(chunk):
                chunks.append(self.placeholders.get(line.strip(), line))
        return MergeResult(join_chunks(chunks))

    def _restore_conflict(self, conflict: Conflict) -> Conflict:
        """Remap ranges; a text conflict that swallowed a placeholder shows the bodies."""
        base, ours, theirs = conflict.base, conflict.ours, conflict.theirs
        kind, name = conflict.kind, conflict.name
        for key, region in self.placeholders.items():
            if key in {line.strip() for line in base + ours + theirs}:
                kind, name = "region", region.name
                base = _swap(base, key, region.base)
                ours = _swap(ours, key, region.ours)
                theirs = _swap(theirs, key, region.theirs)
        base_map, ours_map, theirs_map = self.maps
        return replace(
            conflict,
            base_start=base_map.old(conflict.base_start, end=False),
            base_end=base_map.old(conflict.base_end, end=True),
            ours_start=ours_map.old(conflict.ours_start, end=False),
            ours_end=ours_map.old(conflict.ours_end, end=True),
            theirs_start=theirs_map.old(conflict.theirs_start, end=False),
            theirs_end=theirs_map.old(conflict.theirs_end, end=True),
            base=base,
            ours=ours,
            theirs=theirs,
            kind=kind,
            name=name,
        )


def _swap(lines: tuple[str, ...], key: str, body: tuple[str, ...]) -> tuple[str, ...]:
    """``lines`` with the placeholder ``key`` replaced by the region body."""
    swapped: list[str] = []
    for line in lines:
        swapped.extend(body if line.strip() == key else (line,))
    return tuple(swapped)


def prepare(base: str, ours: str, theirs: str) -> PreparedMerge:
    """Settle managed regions before a merge; see ``PreparedMerge``."""
    edits: tuple[dict[tuple[int, int], Sequence[str]], ...] = ({}, {}, {})
    placeholders: dict[str, Conflict] = {}
    token = hashlib.sha256("\0".join((base, ours, theirs)).encode()).hexdigest()[:16]
    for claim in _claims(base, ours, theirs):
        body: Sequence[str] = claim.theirs.body
        if claim.disputed:
            line = _placeholder(ours, claim.ours, token)
            placeholders[line.strip()] = claim.conflict()
            body = [line]
            edits[2][_body_span(claim.theirs)] = body
        edits[1][_body_span(claim.ours)] = body
        if claim.base is not None:
            edits[0][_body_span(claim.base)] = body
    (new_base, base_map), (new_ours, ours_map), (new_theirs, theirs_map) = (
        _splice(text, text_edits)
        for text, text_edits in zip((base, ours, theirs), edits, strict=True)
    )
    return PreparedMerge(
        new_base,
        new_ours,
        new_theirs,
        placeholders,
        (base_map, ours_map, theirs_map),
        (base, ours, theirs),
    )


def _placeholder(ours: str, region: Region, token: str) -> str:
    """A comment line in the region's own comment syntax and indentation.

    Being a comment keeps Python (and YAML, TOML...) valid while it stands in
    for the body; the token, derived from all three inputs, keeps it from
    matching any line the user could have written.
    """
    begin = split_lines(ours)[region.begin_line]
    content = begin.rstrip("\r\n")
    marker = content.lstrip(" \t")
    indent, newline = content[: len(content) - len(marker)], begin[len(content) :]
    if marker.startswith("<!--"):
        return f"{indent}<!-- dayone:conflict {region.name} {token} -->{newline}"
    return f"{indent}# dayone:conflict {region.name} {token}{newline}"
