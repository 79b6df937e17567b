"""Line-based three-way merge: which changes are taken, which conflict, and bytes kept."""

from __future__ import annotations

import pytest

from generator.merge.text import Conflict, MergeResult, merge3, split_lines

BASE = "one\ntwo\nthree\nfour\nfive\n"


def test_change_on_one_side_only_is_taken() -> None:
    assert merge3(BASE, BASE.replace("two", "TWO"), BASE).text() == BASE.replace("two", "TWO")
    assert merge3(BASE, BASE, BASE.replace("two", "TWO")).text() == BASE.replace("two", "TWO")


def test_changes_on_both_sides_in_different_places_are_both_taken() -> None:
    ours = BASE.replace("one", "ONE")
    theirs = BASE.replace("five", "FIVE")
    assert merge3(BASE, ours, theirs).text() == "ONE\ntwo\nthree\nfour\nFIVE\n"


def test_identical_change_on_both_sides_is_taken_once() -> None:
    both = BASE.replace("three\n", "three\nextra\n")
    result = merge3(BASE, both, both)
    assert result.clean
    assert result.text() == both


def test_identical_insertion_at_the_same_place_is_taken_once() -> None:
    ours = BASE.replace("two\n", "two\nnew\n").replace("five", "FIVE")
    theirs = BASE.replace("two\n", "two\nnew\n")
    assert merge3(BASE, ours, theirs).text() == "one\ntwo\nnew\nthree\nfour\nFIVE\n"


def test_overlapping_changes_conflict_with_ranges_and_lines() -> None:
    ours = BASE.replace("two\nthree", "2\n3")
    theirs = BASE.replace("three\nfour", "drei\nvier")
    result = merge3(BASE, ours, theirs)
    assert not result.clean
    assert result.chunks[0] == "one\n"
    assert result.chunks[-1] == "five\n"
    (conflict,) = result.conflicts
    assert conflict == Conflict(
        base_start=1,
        base_end=4,
        ours_start=1,
        ours_end=4,
        theirs_start=1,
        theirs_end=4,
        base=("two\n", "three\n", "four\n"),
        ours=("2\n", "3\n", "four\n"),
        theirs=("two\n", "drei\n", "vier\n"),
    )
    assert conflict.kind == "text"
    assert conflict.name is None


def test_adjacent_changes_merge_cleanly() -> None:
    ours = BASE.replace("two", "TWO")
    theirs = BASE.replace("three", "THREE")
    assert merge3(BASE, ours, theirs).text() == "one\nTWO\nTHREE\nfour\nfive\n"


def test_insertion_next_to_a_change_merges_cleanly() -> None:
    ours = BASE.replace("two\n", "two\ninserted\n")
    theirs = BASE.replace("three", "THREE")
    assert merge3(BASE, ours, theirs).text() == "one\ntwo\ninserted\nTHREE\nfour\nfive\n"


def test_different_insertions_at_the_same_place_conflict() -> None:
    ours = BASE.replace("two\n", "two\nmine\n")
    theirs = BASE.replace("two\n", "two\ntheirs\n")
    (conflict,) = merge3(BASE, ours, theirs).conflicts
    assert (conflict.base_start, conflict.base_end) == (2, 2)
    assert conflict.base == ()
    assert conflict.ours == ("mine\n",)
    assert conflict.theirs == ("theirs\n",)


def test_deletion_against_edit_conflicts() -> None:
    ours = BASE.replace("three\n", "")
    theirs = BASE.replace("three", "THREE")
    (conflict,) = merge3(BASE, ours, theirs).conflicts
    assert conflict.ours == ()
    assert conflict.theirs == ("THREE\n",)


def test_same_deletion_on_both_sides_is_clean() -> None:
    gone = BASE.replace("three\n", "")
    assert merge3(BASE, gone, gone).text() == gone


def test_crlf_lines_come_back_byte_for_byte() -> None:
    base = "a\r\nb\r\nc\r\n"
    ours = "A\r\nb\r\nc\r\n"
    theirs = "a\r\nb\r\nC\r\n"
    assert merge3(base, ours, theirs).text() == "A\r\nb\r\nC\r\n"


def test_mixed_line_endings_are_not_normalised() -> None:
    base = "a\r\nb\nc\r\n"
    theirs = "a\r\nb\nc\r\nd\n"
    assert merge3(base, "x\r\nb\nc\r\n", theirs).text() == "x\r\nb\nc\r\nd\n"


def test_line_ending_change_is_a_real_change() -> None:
    result = merge3("a\nb\n", "a\r\nb\n", "A\nb\n")
    assert not result.clean


def test_missing_final_newline() -> None:
    base = "a\nb"
    ours = "a\nb\nc"  # appended a line, which gives "b" its newline
    theirs = "A\nb"
    assert merge3(base, ours, theirs).text() == "A\nb\nc"


def test_missing_final_newline_on_one_side_only() -> None:
    base = "a\nb\n"
    assert merge3(base, "a\nb", "A\nb\n").text() == "A\nb"


def test_empty_files() -> None:
    assert merge3("", "", "").chunks == ()
    assert merge3("", "", "").text() == ""
    assert merge3("", "x\n", "").text() == "x\n"
    assert merge3("x\n", "x\n", "").text() == ""
    (conflict,) = merge3("", "mine\n", "theirs\n").conflicts
    assert conflict.base == ()


def test_text_refuses_when_there_are_conflicts() -> None:
    result = merge3("a\n", "b\n", "c\n")
    assert not result.clean
    with pytest.raises(ValueError, match="1 unresolved conflict"):
        result.text()


def test_adjacent_text_is_a_single_chunk() -> None:
    result = merge3(BASE, BASE.replace("one", "ONE"), BASE.replace("five", "FIVE"))
    assert result.chunks == ("ONE\ntwo\nthree\nfour\nFIVE\n",)


def test_with_markers_diff3_format() -> None:
    result = merge3("a\nb\nc\n", "a\nmine\nc\n", "a\ntheirs\nc\n")
    assert result.with_markers() == (
        "a\n<<<<<<< yours\nmine\n||||||| baseline\nb\n=======\ntheirs\n>>>>>>> dayone\nc\n"
    )


def test_with_markers_custom_labels() -> None:
    text = merge3("a\n", "b\n", "c\n").with_markers("local", "template", "last-render")
    assert text.splitlines() == [
        "<<<<<<< local",
        "b",
        "||||||| last-render",
        "a",
        "=======",
        "c",
        ">>>>>>> template",
    ]


def test_with_markers_uses_crlf_in_crlf_files_and_ends_unterminated_lines() -> None:
    result = merge3("a\r\nb\r\n", "a\r\nB\r\n", "a\r\nC")
    assert result.with_markers() == (
        "a\r\n<<<<<<< yours\r\nB\r\n||||||| baseline\r\nb\r\n=======\r\nC\r\n>>>>>>> dayone\r\n"
    )


def test_with_markers_of_a_clean_merge_is_the_text() -> None:
    result = merge3(BASE, BASE.replace("one", "1"), BASE)
    assert result.with_markers() == result.text()


def test_to_json_uses_one_based_inclusive_lines() -> None:
    result = merge3("a\nb\nc\n", "a\nb\nmine\nc\n", "a\nb\ntheirs1\ntheirs2\nc\n")
    (conflict,) = result.conflicts
    assert conflict.to_json() == {
        "kind": "text",
        "name": None,
        "base": {"start": 3, "end": 2, "text": ""},
        "ours": {"start": 3, "end": 3, "text": "mine\n"},
        "theirs": {"start": 3, "end": 4, "text": "theirs1\ntheirs2\n"},
    }


def test_clean_and_conflicts_properties() -> None:
    conflict = merge3("a\n", "b\n", "c\n").conflicts[0]
    result = MergeResult(("x\n", conflict, "y\n"))
    assert not result.clean
    assert result.conflicts == (conflict,)
    assert MergeResult(("x\n",)).clean


def test_split_lines_only_breaks_on_newline() -> None:
    assert split_lines("a\r\nb\x0cc\nd") == ["a\r\n", "b\x0cc\n", "d"]
    assert split_lines("") == []
    assert split_lines("\n") == ["\n"]


def test_repeated_lines_still_align_sensibly() -> None:
    base = "def a():\n    pass\n\n\ndef b():\n    pass\n"
    ours = base.replace("def a", "def a2")
    theirs = base.replace("def b", "def b2")
    assert merge3(base, ours, theirs).text() == base.replace("def a", "def a2").replace(
        "def b", "def b2"
    )


def test_a_few_thousand_lines_with_changes_on_both_sides_merge() -> None:
    base = [f"line {i}\n" if i % 3 else "\n" for i in range(6000)]
    ours, theirs = list(base), list(base)
    for i in range(0, 6000, 100):
        ours[i] = f"ours {i}\n"
        theirs[i + 50] = f"theirs {i + 50}\n"
    result = merge3("".join(base), "".join(ours), "".join(theirs))
    assert result.clean
    merged = split_lines(result.text())
    assert merged[100] == "ours 100\n"
    assert merged[50] == "theirs 50\n"


def test_text_after_an_unterminated_last_line_is_not_glued_on() -> None:
    # OURS' new last line has no newline; THEIRS appends after the old end.
    result = merge3("a\n", "end", "a\nend")
    assert not result.clean
    assert result.with_markers().splitlines()[1] == "end"
    # Appending after a terminated last line stays clean.
    assert merge3("a\nb\n", "a\nB\n", "a\nb\nc").text() == "a\nB\nc"
