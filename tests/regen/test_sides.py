"""The pure decisions behind conflict files (generator.plan.sides), edge by edge."""

from __future__ import annotations

import hashlib

import pytest

from generator.plan.sides import (
    NOT_A_FILE,
    RecordError,
    Written,
    candidates,
    choose,
    has_markers,
    parse_records,
    records_bytes,
    resolved_in_git,
)

X = "app/x.py"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_choose_takes_the_first_free_or_day_ones_name() -> None:
    assert choose(X, {}, {}, set()) == (X + ".new", None)
    mine = {X + ".new": "a" * 64}
    assert choose(X, mine, {}, set()) == (X + ".new.1", None)
    assert choose(X, mine, {X + ".new": "a" * 64}, set()) == (X + ".new", "a" * 64)
    # Day One wrote it, the user edited it since: theirs now.
    assert choose(X, mine, {X + ".new": "b" * 64}, set()) == (X + ".new.1", None)
    # A folder or symlink is never Day One's; a generated path is never a side file.
    assert choose(X, {X + ".new": NOT_A_FILE}, {X + ".new": NOT_A_FILE}, set())[0] == X + ".new.1"
    assert choose(X, {}, {}, {X + ".new"})[0] == X + ".new.1"
    assert choose(X, dict.fromkeys(candidates(X), "c" * 64), {}, set()) == (None, None)


@pytest.mark.parametrize(
    ("text", "marked"),
    [
        (
            b"a\n<<<<<<< yours\nb\n||||||| last generated\nc\n=======\nd\n>>>>>>> new template\n",
            True,
        ),
        (b"<<<<<<< HEAD\r\nb\r\n=======\r\nd\r\n>>>>>>> other\r\n", True),
        (b"x = '<<<<<<< not at the start'\n=======\n>>>>>>> x\n", False),
        (b"<<<<<<< yours\nb\n", False),
        (b"", False),
    ],
)
def test_has_markers(text: bytes, marked: bool) -> None:
    assert has_markers(text) is marked


def test_resolved_in_git_only_after_a_real_resolution() -> None:
    ours, theirs, merged = b"ours\n", b"theirs\n", b"merged\n"
    record = Written(X, X, sha(b"marked"), sha(theirs), staged=True, ours=sha(ours))
    assert resolved_in_git([record], frozenset(), {X: merged}, {X: sha(theirs)}) == {X}
    assert not resolved_in_git([record], frozenset({X}), {X: merged}, {X: sha(theirs)})
    assert not resolved_in_git([record], frozenset(), {X: ours}, {X: sha(theirs)})  # undone
    marked = b"<<<<<<< yours\na\n=======\nb\n>>>>>>> new template\n"
    assert not resolved_in_git([record], frozenset(), {X: marked}, {X: sha(theirs)})
    assert not resolved_in_git([record], frozenset(), {X: merged}, {X: sha(b"newer")})
    unstaged = Written(X, X, sha(b"marked"), sha(theirs))
    assert not resolved_in_git([unstaged], frozenset(), {X: merged}, {X: sha(theirs)})


def test_records_round_trip_and_refuse_damage() -> None:
    records = [Written(X, X + ".new.1", "a" * 64, "b" * 64)]
    assert parse_records(records_bytes(records)) == records
    assert records_bytes([]) is None and parse_records(None) == []
    with pytest.raises(RecordError, match="damaged"):
        parse_records(b'{"schema_version": 1, "written": 5}')
    with pytest.raises(RecordError, match="schema version 9"):
        parse_records(b'{"schema_version": 9}')
    with pytest.raises(RecordError, match="not a name Day One uses"):
        parse_records(records_bytes([Written(X, "app/other.py", "a" * 64, "b" * 64)]))
