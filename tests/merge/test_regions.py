"""Managed regions: finding them, refusing malformed markers, and taking THEIRS' bodies."""

from __future__ import annotations

import pytest

from generator.errors import DayOneError
from generator.merge import RegionError, merge3
from generator.merge.regions import Region, find_regions, take_regions

MAIN = """from app import api
# dayone:begin routers
api.include(auth)
# dayone:end routers

def f():
    return 1
"""


def test_find_regions_hash_comments() -> None:
    assert find_regions(MAIN) == {"routers": Region("routers", 1, 3, ("api.include(auth)\n",))}


def test_find_regions_indented_html_and_several() -> None:
    text = (
        "# Title\n"
        "<!-- dayone:begin feature.list -->\n"
        "- auth\n"
        "- billing\n"
        "<!-- dayone:end feature.list -->\n"
        "services:\n"
        "  # dayone:begin extra-services_1\n"
        "  # dayone:end extra-services_1\n"
    )
    regions = find_regions(text)
    assert regions["feature.list"] == Region("feature.list", 1, 4, ("- auth\n", "- billing\n"))
    assert regions["extra-services_1"] == Region("extra-services_1", 6, 7, ())


def test_find_regions_crlf_and_ordinary_comments() -> None:
    text = "# dayone is nice\r\n#dayone:begin a\r\nx\r\n#  dayone:end a  \r\n"
    assert find_regions(text) == {"a": Region("a", 1, 3, ("x\r\n",))}


def test_find_regions_without_markers() -> None:
    assert find_regions("") == {}
    assert find_regions("x = 1  # dayone:begin inline-is-not-a-marker\n") == {}


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("x\n# dayone:begin a\ny\n", ["line 2", "'a'", "no 'dayone:end a'"]),
        ("# dayone:begin a\n# dayone:begin b\n# dayone:end b\n", ["line 2", "'b'", "nest"]),
        (
            "# dayone:begin a\n# dayone:end a\n# dayone:begin a\n# dayone:end a\n",
            ["line 3", "duplicate region 'a'", "line 1"],
        ),
        ("x\ny\n# dayone:end a\n", ["line 3", "dayone:end a", "without"]),
        ("# dayone:begin a\n# dayone:end b\n", ["line 2", "'a'", "dayone:end b"]),
        ("<!-- dayone:begin -->\n", ["line 1", "malformed", "dayone:begin"]),
        ("# dayone:end two words\n", ["line 1", "malformed", "dayone:end two words"]),
    ],
    ids=[
        "unclosed",
        "nested",
        "duplicate",
        "end-without-begin",
        "mismatched",
        "no-name",
        "bad-name",
    ],
)
def test_malformed_markers_name_the_line(text: str, fragments: list[str]) -> None:
    with pytest.raises(RegionError) as caught:
        find_regions(text)
    for fragment in fragments:
        assert fragment in caught.value.message
    assert isinstance(caught.value, DayOneError)
    assert caught.value.hint is not None


def test_take_regions_gives_theirs_body_to_ours_and_base() -> None:
    theirs = MAIN.replace("api.include(auth)\n", "api.include(auth)\napi.include(billing)\n")
    ours = MAIN.replace("return 1", "return 2")
    new_base, new_ours, conflicts = take_regions(MAIN, ours, theirs)
    assert conflicts == ()
    assert new_base == theirs
    assert new_ours == theirs.replace("return 1", "return 2")


def test_region_replaced_while_user_edited_outside_it() -> None:
    theirs = MAIN.replace("api.include(auth)\n", "api.include(users)\n").replace(
        "return 1", "return 1  # generated"
    )
    ours = "import os\n" + MAIN
    new_base, new_ours, conflicts = take_regions(MAIN, ours, theirs)
    assert conflicts == ()
    merged = merge3(new_base, new_ours, theirs)
    assert merged.text() == "import os\n" + theirs


def test_user_edit_inside_a_region_is_a_region_conflict_and_kept() -> None:
    ours = MAIN.replace("api.include(auth)\n", "api.include(auth)\napi.include(mine)\n")
    theirs = MAIN.replace("api.include(auth)\n", "api.include(auth)\napi.include(billing)\n")
    new_base, new_ours, conflicts = take_regions(MAIN, ours, theirs)
    assert new_ours == ours
    assert new_base == MAIN
    (conflict,) = conflicts
    assert conflict.kind == "region"
    assert conflict.name == "routers"
    assert conflict.base == ("api.include(auth)\n",)
    assert conflict.ours == ("api.include(auth)\n", "api.include(mine)\n")
    assert conflict.theirs == ("api.include(auth)\n", "api.include(billing)\n")
    assert (conflict.base_start, conflict.base_end) == (2, 3)
    assert (conflict.ours_start, conflict.ours_end) == (2, 4)
    assert (conflict.theirs_start, conflict.theirs_end) == (2, 4)


def test_user_edit_that_matches_theirs_is_not_a_conflict() -> None:
    both = MAIN.replace("api.include(auth)\n", "api.include(users)\n")
    new_base, new_ours, conflicts = take_regions(MAIN, both, both)
    assert conflicts == ()
    assert (new_base, new_ours) == (both, both)


def test_user_edit_is_reported_even_when_the_generator_kept_the_region() -> None:
    ours = MAIN.replace("api.include(auth)\n", "api.include(mine)\n")
    _, new_ours, conflicts = take_regions(MAIN, ours, MAIN)
    assert [c.name for c in conflicts] == ["routers"]
    assert new_ours == ours


def test_region_deleted_from_ours_is_left_to_the_merge() -> None:
    ours = "from app import api\n\ndef f():\n    return 1\n"
    theirs = MAIN.replace("auth", "users")
    new_base, new_ours, conflicts = take_regions(MAIN, ours, theirs)
    assert (new_base, new_ours, conflicts) == (MAIN, ours, ())


def test_region_dropped_by_theirs_is_left_to_the_merge() -> None:
    ours = MAIN.replace("auth", "mine")
    theirs = "from app import api\n\ndef f():\n    return 1\n"
    assert take_regions(MAIN, ours, theirs) == (MAIN, ours, ())


def test_region_new_in_ours_and_theirs_but_not_in_base() -> None:
    base = "x = 1\n"
    region = "# dayone:begin new\ny = 2\n# dayone:end new\n"
    assert take_regions(base, base + region, base + region) == (base, base + region, ())
    mine = region.replace("y = 2", "y = 3")
    (conflict,) = take_regions(base, base + mine, base + region)[2]
    assert (conflict.base_start, conflict.base_end, conflict.base) == (0, 0, ())


def test_take_regions_says_which_version_is_malformed() -> None:
    broken = MAIN.replace("# dayone:end routers\n", "")
    with pytest.raises(RegionError, match=r"^your file: line 2: region 'routers'"):
        take_regions(MAIN, broken, MAIN)
    with pytest.raises(RegionError, match=r"^new render: line 2"):
        take_regions(MAIN, MAIN, broken)
    with pytest.raises(RegionError, match=r"^baseline: line 2"):
        take_regions(broken, MAIN, MAIN)


def test_take_regions_keeps_crlf_bodies() -> None:
    base = "a\r\n# dayone:begin r\r\nold\r\n# dayone:end r\r\nb\r\n"
    theirs = base.replace("old", "new")
    ours = base.replace("a\r\n", "A\r\n")
    new_base, new_ours, _ = take_regions(base, ours, theirs)
    assert new_base == theirs
    assert new_ours == "A\r\n# dayone:begin r\r\nnew\r\n# dayone:end r\r\nb\r\n"
