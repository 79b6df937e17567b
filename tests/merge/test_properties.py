"""Properties of merge3 on random texts: identities, and no line of the user's is lost."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.merge import merge_file
from generator.merge.text import merge3, split_lines
from tests.merge.test_compiles import compiles

# Few distinct lines, so that random texts repeat lines and align in many
# ways; CRLF and an unterminated last line are part of the alphabet.
LINES = st.sampled_from(["a\n", "b\n", "c\n", "\n", "a\r\n", "def f():\n", "    pass\n"])
NEW_LINES = st.one_of(LINES, st.sampled_from(["x\n", "y\n", "z\r\n"]))
LAST = st.sampled_from(["", "end", "a"])

# A decorator rather than a profile, so other suites' settings are left alone.
examples = settings(max_examples=150, deadline=None)


@st.composite
def texts(draw: st.DrawFn) -> str:
    return "".join(draw(st.lists(LINES, max_size=10))) + draw(LAST)


@st.composite
def edits_of(draw: st.DrawFn, base: str) -> str:
    """``base`` with random deletions, insertions and a changed ending."""
    out: list[str] = []
    for line in [*split_lines(base), None]:
        out.extend(draw(st.lists(NEW_LINES, max_size=2)))
        if line is not None and draw(st.booleans()):
            out.append(line)
    return "".join(out) + draw(LAST)


@st.composite
def three_versions(draw: st.DrawFn) -> tuple[str, str, str]:
    base = draw(texts())
    return base, draw(edits_of(base)), draw(edits_of(base))


def is_subsequence(needles: Sequence[str], haystack: Sequence[str]) -> bool:
    """In order; an unterminated needle may have gained a line ending (markers add one)."""
    found = iter(haystack)
    return all(
        any(
            line == needle or (not needle.endswith("\n") and line.rstrip("\r\n") == needle)
            for line in found
        )
        for needle in needles
    )


@examples
@given(texts(), texts())
def test_unchanged_ours_gives_theirs(base: str, theirs: str) -> None:
    result = merge3(base, base, theirs)
    assert result.clean
    assert result.text() == theirs


@examples
@given(texts(), texts())
def test_unchanged_theirs_gives_ours(base: str, ours: str) -> None:
    result = merge3(base, ours, base)
    assert result.clean
    assert result.text() == ours


@examples
@given(texts(), texts())
def test_same_change_on_both_sides_is_taken(base: str, both: str) -> None:
    result = merge3(base, both, both)
    assert result.clean
    assert result.text() == both


def added_lines(base: str, side: str) -> list[str]:
    base_lines = set(split_lines(base))
    return [line for line in split_lines(side) if line not in base_lines]


@examples
@given(three_versions())
def test_no_user_line_is_lost(versions: tuple[str, str, str]) -> None:
    """Every line OURS added survives, in order, in the result or between markers.

    Lines OURS merely kept from BASE are not protected: THEIRS may delete
    them cleanly, as in any diff3, even when the merge conflicts elsewhere.
    """
    base, ours, theirs = versions
    result = merge3(base, ours, theirs)
    merged = result.text() if result.clean else result.with_markers()
    assert is_subsequence(added_lines(base, ours), split_lines(merged))


@examples
@given(three_versions())
def test_no_generated_line_is_lost(versions: tuple[str, str, str]) -> None:
    base, ours, theirs = versions
    result = merge3(base, ours, theirs)
    merged = result.text() if result.clean else result.with_markers()
    assert is_subsequence(added_lines(base, theirs), split_lines(merged))


@examples
@given(three_versions())
def test_conflicts_point_at_their_lines(versions: tuple[str, str, str]) -> None:
    base, ours, theirs = versions
    result = merge3(base, ours, theirs)
    ours_lines, theirs_lines, base_lines = split_lines(ours), split_lines(theirs), split_lines(base)
    for conflict in result.conflicts:
        assert conflict.ours == tuple(ours_lines[conflict.ours_start : conflict.ours_end])
        assert conflict.theirs == tuple(theirs_lines[conflict.theirs_start : conflict.theirs_end])
        assert conflict.base == tuple(base_lines[conflict.base_start : conflict.base_end])
        assert conflict.ours != conflict.theirs


# Issue 12, item 3: random indentation styles. A module is a list of
# functions; a body statement is a plain line or an ``if`` with a block.
Body = list[tuple[int, list[int]]]  # (statement number, numbers in its block: empty = plain)
UNITS = st.sampled_from(["\t", "  ", "    ", "        "])


def render_module(functions: list[Body], unit: str) -> str:
    out = ['"""Generated."""\n']
    for number, body in enumerate(functions):
        out.append(f"\n\ndef f{number}(x):\n")
        for statement, block in body:
            if not block:
                out.append(f"{unit}y{statement} = x + {statement}\n")
                continue
            out.append(f"{unit}if x > {statement}:\n")
            out.extend(f"{unit * 2}x = x * {inner}\n" for inner in block)
        out.append(f"{unit}return x\n")
    return "".join(out)


statements = st.tuples(st.integers(0, 99), st.lists(st.integers(0, 99), max_size=2))
modules = st.lists(st.lists(statements, max_size=4), min_size=1, max_size=4)


@st.composite
def grown(draw: st.DrawFn, functions: list[Body]) -> list[Body]:
    """``functions`` with statements (and whole functions) added at random places."""
    out = [list(body) for body in functions]
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.booleans()) or not out:
            out.append(draw(st.lists(statements, max_size=2)))
            continue
        body = out[draw(st.integers(0, len(out) - 1))]
        body.insert(draw(st.integers(0, len(body))), draw(statements))
    return out


# Each example may run the structural merge (libcst and ruff): fewer of them.
python_examples = settings(max_examples=40, deadline=None)


@python_examples
@given(st.data(), modules, UNITS)
def test_re_indented_file_takes_the_templates_changes_in_its_own_style(
    data: st.DataObject, functions: list[Body], unit: str
) -> None:
    base = render_module(functions, "    ")
    new = data.draw(grown(functions))
    theirs = render_module(new, "    ")
    mine = "\n\nMINE = 1\n" if data.draw(st.booleans()) else ""
    ours = render_module(functions, unit) + mine
    result = merge_file("app/generated.py", base, ours, theirs)
    assert result.clean, result.with_markers()
    assert result.text() == render_module(new, unit) + mine


@python_examples
@given(st.data(), modules, UNITS, UNITS)
def test_every_clean_python_merge_compiles(
    data: st.DataObject, functions: list[Body], first: str, second: str
) -> None:
    """Whatever mix of styles the user leaves (two styles in two halves of the
    file, user statements added in either), a clean merge compiles."""
    base = render_module(functions, "    ")
    theirs = render_module(data.draw(grown(functions)), "    ")
    mine = data.draw(grown(functions))
    half = len(mine) // 2
    ours = render_module(mine[:half], first) + render_module(mine[half:], second).replace(
        '"""Generated."""\n', "", 1
    ).replace("def f", "def g")
    result = merge_file("app/generated.py", base, ours, theirs)
    if result.clean:
        assert compiles(result.text()), result.text()
    else:
        assert is_subsequence(added_lines(base, ours), split_lines(result.with_markers()))
