"""Line-based three-way merge (diff3).

Every other merge in this package starts here: region handling prepares the
inputs for it and the Python merge only steps in when it reports a conflict.

The algorithm aligns BASE with each side (patience-style anchoring on unique
lines, difflib in small boxes between them, the rarest lines in large ones),
turns each alignment into *hunks* (base range replaced by side lines), then
sweeps the hunks of both sides in base order. Hunks whose base ranges overlap,
or that insert at the same base position, form one *cluster*; a cluster is
clean when only one side changed it or both changed it identically, and a
conflict otherwise. Hunks that merely touch (one ends where the other begins)
stay in separate clusters and merge cleanly.

Lines are split on ``\\n`` only and keep their endings, so CRLF files, files
without a final newline and stray form feeds come back byte for byte.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from difflib import SequenceMatcher

from msgspec import Struct

_Side = tuple[str, ...]


def split_lines(text: str) -> list[str]:
    """Split ``text`` into lines that keep their ``\\n`` (or ``\\r\\n``) ending.

    ``str.splitlines`` is not used because it also breaks on form feeds,
    vertical tabs and Unicode separators, which would shift line numbers
    away from what editors and git show.
    """
    lines = text.split("\n")
    last = lines.pop()
    result = [line + "\n" for line in lines]
    if last:
        result.append(last)
    return result


def newline_of(text: str) -> str:
    """The line ending of the first line of ``text``, ``\\n`` when it has none."""
    end = text.find("\n")
    return "\r\n" if end > 0 and text[end - 1] == "\r" else "\n"


class Conflict(Struct, frozen=True):
    """A place where BASE, OURS and THEIRS disagree and no side can be picked.

    Ranges are 0-based and half-open into the line lists of the three inputs;
    an insertion conflict has an empty base range at the insertion point.
    """

    base_start: int
    base_end: int
    ours_start: int
    ours_end: int
    theirs_start: int
    theirs_end: int
    base: _Side
    ours: _Side
    theirs: _Side
    kind: str = "text"
    name: str | None = None

    def to_json(self) -> dict[str, object]:
        """A JSON-ready description with 1-based inclusive line numbers.

        An empty side has ``end == start - 1``, the usual convention for
        "insert before line ``start``".
        """

        def side(start: int, end: int, lines: _Side) -> dict[str, object]:
            return {"start": start + 1, "end": end, "text": "".join(lines)}

        return {
            "kind": self.kind,
            "name": self.name,
            "base": side(self.base_start, self.base_end, self.base),
            "ours": side(self.ours_start, self.ours_end, self.ours),
            "theirs": side(self.theirs_start, self.theirs_end, self.theirs),
        }


class MergeResult(Struct, frozen=True):
    """Merged text pieces interleaved with the conflicts between them."""

    chunks: tuple[str | Conflict, ...]

    @property
    def clean(self) -> bool:
        return not self.conflicts

    @property
    def conflicts(self) -> tuple[Conflict, ...]:
        return tuple(chunk for chunk in self.chunks if isinstance(chunk, Conflict))

    def text(self) -> str:
        """The merged text; only meaningful when there is nothing to resolve."""
        if not self.clean:
            raise ValueError(f"merge has {len(self.conflicts)} unresolved conflict(s)")
        return "".join(chunk for chunk in self.chunks if isinstance(chunk, str))

    def with_markers(
        self, ours_label: str = "yours", theirs_label: str = "dayone", base_label: str = "baseline"
    ) -> str:
        """The merge with git diff3-style conflict markers, for the user to resolve.

        Markers use the file's own line ending, and a side whose last line has
        no ending gets one so that the next marker starts on its own line.
        """
        newline = newline_of(
            "".join(
                chunk if isinstance(chunk, str) else "".join(chunk.ours + chunk.theirs + chunk.base)
                for chunk in self.chunks
            )
        )
        out: list[str] = []

        def emit(lines: Sequence[str]) -> None:
            out.extend(lines)
            if out and not out[-1].endswith("\n"):
                out.append(newline)

        for chunk in self.chunks:
            if isinstance(chunk, str):
                out.append(chunk)
                continue
            emit([f"<<<<<<< {ours_label}{newline}"])
            emit(chunk.ours)
            emit([f"||||||| {base_label}{newline}"])
            emit(chunk.base)
            emit([f"======={newline}"])
            emit(chunk.theirs)
            out.append(f">>>>>>> {theirs_label}{newline}")
        return "".join(out)


class _Hunk(Struct, frozen=True):
    """BASE lines ``[start, end)`` replaced by ``size`` lines on one side.

    ``unterminated``: the new lines end with that side's last line and it has
    no line ending, so nothing may follow them in the merge.
    """

    start: int
    end: int
    size: int
    ours: bool
    unterminated: bool


# Boxes without unique lines larger than this many line pairs are not handed
# to difflib, whose cost grows with the product of their sizes.
_DIFFLIB_CELLS = 250_000


def _anchors(
    base: Sequence[str], side: Sequence[str], box: tuple[int, int, int, int], *, unique: bool
) -> list[tuple[int, int]]:
    """Lines to align first in a box: the longest in-order chain of candidates.

    With ``unique``, the candidates are the lines occurring exactly once in
    both ranges: the anchoring step of patience diff, such lines almost
    always correspond to each other. Otherwise (a large box without unique
    lines, as histogram diff does) the rarest lines that occur equally often
    in both ranges, their k-th occurrences paired with each other.
    """
    alo, ahi, blo, bhi = box
    where: dict[str, tuple[list[int], list[int]]] = {}
    for i in range(alo, ahi):
        where.setdefault(base[i], ([], []))[0].append(i)
    for j in range(blo, bhi):
        entry = where.get(side[j])
        if entry is not None:
            entry[1].append(j)
    counts = [len(a) for a, b in where.values() if len(a) == len(b)]
    rarest = 1 if unique else min(counts, default=0)
    if not rarest:
        return []
    chosen = [(a, b) for a, b in where.values() if len(a) == len(b) == rarest]
    pairs = sorted(pair for a, b in chosen for pair in zip(a, b, strict=True))
    return _longest_chain(pairs)


def _longest_chain(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest subsequence of ``pairs`` (sorted by i) increasing in j too.

    Patience sorting, O(n log n).
    """
    tails: list[int] = []  # tails[k]: index in pairs ending the best run of length k + 1
    tail_js: list[int] = []  # their j, kept sorted for bisection
    previous: list[int] = []
    for index, (_, j) in enumerate(pairs):
        k = bisect_left(tail_js, j)
        previous.append(tails[k - 1] if k else -1)
        if k == len(tails):
            tails.append(index)
            tail_js.append(j)
        else:
            tails[k], tail_js[k] = index, j
    chain: list[tuple[int, int]] = []
    at = tails[-1] if tails else -1
    while at >= 0:
        chain.append(pairs[at])
        at = previous[at]
    return chain[::-1]


def _matches(base: Sequence[str], side: Sequence[str]) -> list[tuple[int, int]]:
    """Pairs ``(i, j)`` of lines aligned between ``base`` and ``side``, sorted.

    Common prefixes and suffixes, then unique lines, split the texts into
    ever smaller boxes; a small box without unique lines is aligned by
    difflib. Only those boxes pay difflib's cost on frequent lines (blank
    lines, closing brackets). A large box without unique lines is cut by its
    rarest lines instead, and left as one change if it has none: the work
    stays near-linear in the size of the files, whatever they hold.
    """
    matched: list[tuple[int, int]] = []
    boxes = [(0, len(base), 0, len(side))]
    while boxes:
        alo, ahi, blo, bhi = boxes.pop()
        while alo < ahi and blo < bhi and base[alo] == side[blo]:
            matched.append((alo, blo))
            alo, blo = alo + 1, blo + 1
        while alo < ahi and blo < bhi and base[ahi - 1] == side[bhi - 1]:
            ahi, bhi = ahi - 1, bhi - 1
            matched.append((ahi, bhi))
        if alo == ahi or blo == bhi:
            continue
        box = (alo, ahi, blo, bhi)
        anchors = _anchors(base, side, box, unique=True)
        if not anchors and (ahi - alo) * (bhi - blo) > _DIFFLIB_CELLS:
            anchors = _anchors(base, side, box, unique=False)
            if not anchors:
                continue
        if not anchors:
            # autojunk would ignore frequent lines such as blank lines and
            # produce huge, misleading hunks in source files.
            matcher = SequenceMatcher(None, base[alo:ahi], side[blo:bhi], autojunk=False)
            for i, j, size in matcher.get_matching_blocks():
                matched.extend((alo + i + k, blo + j + k) for k in range(size))
            continue
        matched.extend(anchors)
        starts = [(alo, blo)] + [(i + 1, j + 1) for i, j in anchors]
        ends = [*anchors, (ahi, bhi)]
        boxes.extend((a0, a1, b0, b1) for (a0, b0), (a1, b1) in zip(starts, ends, strict=True))
    return sorted(matched)


def _hunks(base: Sequence[str], side: Sequence[str], *, ours: bool) -> list[_Hunk]:
    """The changes from ``base`` to ``side``: the gaps between aligned lines."""
    hunks = []
    i = j = 0
    open_end = bool(side) and not side[-1].endswith("\n")
    for next_i, next_j in [*_matches(base, side), (len(base), len(side))]:
        if next_i > i or next_j > j:
            last = open_end and j < next_j == len(side)
            hunks.append(_Hunk(i, next_i, next_j - j, ours, unterminated=last))
        i, j = next_i + 1, next_j + 1
    return hunks


def _joins(hunk: _Hunk, cluster: list[_Hunk], end: int) -> bool:
    """Whether ``hunk`` conflicts with ``cluster``, which spans base ``[start, end)``.

    Hunks arrive sorted by (start, end), so ``hunk.start >= start``.
    """
    start = cluster[0].start
    if hunk.start == end and any(h.unterminated for h in cluster):
        # Merely adjacent, but text placed after a line without a line ending
        # would be glued onto it: both sides changed the end of the file.
        return True
    if start == end:
        # An insertion-only cluster only meets other insertions at that spot.
        return hunk.start == hunk.end == start
    return hunk.start < end


def _clusters(hunks: list[_Hunk]) -> Iterator[list[_Hunk]]:
    """Group hunks into maximal sets of transitively conflicting changes."""
    cluster: list[_Hunk] = []
    end = 0
    for hunk in sorted(hunks, key=lambda h: (h.start, h.end)):
        if cluster and _joins(hunk, cluster, end):
            cluster.append(hunk)
            end = max(end, hunk.end)
            continue
        if cluster:
            yield cluster
        cluster, end = [hunk], hunk.end
    if cluster:
        yield cluster


def merge3(base: str, ours: str, theirs: str) -> MergeResult:
    """Merge OURS and THEIRS, both derived from BASE, line by line."""
    base_lines, ours_lines, theirs_lines = (split_lines(t) for t in (base, ours, theirs))
    hunks = _hunks(base_lines, ours_lines, ours=True) + _hunks(base_lines, theirs_lines, ours=False)
    chunks: list[str | Conflict] = []
    base_pos = ours_pos = theirs_pos = 0
    for cluster in _clusters(hunks):
        lo, hi = cluster[0].start, max(h.end for h in cluster)
        # Everything between the previous cluster and this one is unchanged on
        # both sides, so the three positions advance together.
        chunks.extend(base_lines[base_pos:lo])
        ours_pos += lo - base_pos
        theirs_pos += lo - base_pos
        ours_end = ours_pos + (hi - lo) + sum(h.size - (h.end - h.start) for h in cluster if h.ours)
        theirs_end = (
            theirs_pos + (hi - lo) + sum(h.size - (h.end - h.start) for h in cluster if not h.ours)
        )
        old = tuple(base_lines[lo:hi])
        mine = tuple(ours_lines[ours_pos:ours_end])
        new = tuple(theirs_lines[theirs_pos:theirs_end])
        if mine in (old, new):
            chunks.extend(new)
        elif new == old:
            chunks.extend(mine)
        else:
            chunks.append(
                Conflict(lo, hi, ours_pos, ours_end, theirs_pos, theirs_end, old, mine, new)
            )
        base_pos, ours_pos, theirs_pos = hi, ours_end, theirs_end
    chunks.extend(base_lines[base_pos:])
    return MergeResult(join_chunks(chunks))


def join_chunks(chunks: Sequence[str | Conflict]) -> tuple[str | Conflict, ...]:
    """Collapse runs of text into single chunks and drop empty ones.

    Keeps ``MergeResult.chunks`` canonical: text and conflicts alternate.
    Each run is joined once: appending line by line to a growing string
    would copy it again for every line, quadratic in the file's size.
    """
    joined: list[str | Conflict] = []
    run: list[str] = []
    for chunk in chunks:
        if isinstance(chunk, str):
            run.append(chunk)
            continue
        if run and (text := "".join(run)):
            joined.append(text)
        run = []
        joined.append(chunk)
    if run and (text := "".join(run)):
        joined.append(text)
    return tuple(joined)
