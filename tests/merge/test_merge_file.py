"""merge_file: regions first, then the Python or text merge, with conflicts in place."""

from __future__ import annotations

import generator.merge as merge
from generator.merge import Conflict, find_regions, merge_file

MAIN = """from app import api
# dayone:begin routers
api.include(auth)
# dayone:end routers


def f():
    return 1
"""
THEIRS = MAIN.replace("api.include(auth)\n", "api.include(auth)\napi.include(billing)\n")
USER_REGION_EDIT = MAIN.replace("api.include(auth)\n", "api.include(auth)\napi.include(mine)\n")


def test_public_api_is_re_exported() -> None:
    assert set(merge.__all__) == {
        "Conflict",
        "MergeResult",
        "RegionError",
        "find_regions",
        "merge3",
        "merge_file",
        "merge_python",
        "take_regions",
    }
    for name in merge.__all__:
        assert getattr(merge, name) is not None


def test_region_body_is_replaced_while_user_edits_outside_survive() -> None:
    ours = MAIN.replace("return 1", "return 2")
    result = merge_file("README.txt", MAIN, ours, THEIRS)
    assert result.text() == THEIRS.replace("return 1", "return 2")


def test_region_conflict_sits_between_the_markers_and_the_rest_is_merged() -> None:
    ours = USER_REGION_EDIT.replace("return 1", "return 2")
    theirs = THEIRS + "\n\ndef g():\n    pass\n"
    result = merge_file("notes.txt", MAIN, ours, theirs)
    (conflict,) = result.conflicts
    assert (conflict.kind, conflict.name) == ("region", "routers")
    assert (conflict.ours_start, conflict.ours_end) == (2, 4)
    assert result.with_markers() == (
        "from app import api\n"
        "# dayone:begin routers\n"
        "<<<<<<< yours\n"
        "api.include(auth)\n"
        "api.include(mine)\n"
        "||||||| baseline\n"
        "api.include(auth)\n"
        "=======\n"
        "api.include(auth)\n"
        "api.include(billing)\n"
        ">>>>>>> dayone\n"
        "# dayone:end routers\n"
        "\n\n"
        "def f():\n"
        "    return 2\n"
        "\n\n"
        "def g():\n"
        "    pass\n"
    )


def test_python_file_with_region_conflict_still_gets_the_structural_merge() -> None:
    ours = USER_REGION_EDIT.replace("from app import api\n", "from app import api\nimport os\n")
    theirs = THEIRS.replace("from app import api\n", "from app import api\nimport json\n")
    result = merge_file("app/main.py", MAIN, ours, theirs)
    assert [(c.kind, c.name) for c in result.conflicts] == [("region", "routers")]
    text = result.with_markers()
    assert "import json\nimport os\n" in text
    assert "# dayone:begin routers\n<<<<<<< yours\n" in text
    assert ">>>>>>> dayone\n# dayone:end routers\n" in text
    assert "dayone:conflict" not in text


def test_python_file_clean_merge_keeps_regions_intact() -> None:
    ours = MAIN.replace("from app import api\n", "from app import api\nimport os\n")
    theirs = THEIRS.replace("from app import api\n", "from app import api\nimport json\n")
    result = merge_file("app/main.py", MAIN, ours, theirs)
    assert result.clean
    assert find_regions(result.text())["routers"].body == (
        "api.include(auth)\n",
        "api.include(billing)\n",
    )


def test_text_conflict_ranges_refer_to_the_callers_files() -> None:
    base = "top\n" + MAIN + "tail\n"
    ours = "top\n" + MAIN + "mine\n"
    # THEIRS grows the region by two lines above the conflict.
    theirs = "top\n" + MAIN.replace("auth)\n", "auth)\nx\ny\n") + "theirs\n"
    result = merge_file("x.txt", base, ours, theirs)
    (conflict,) = result.conflicts
    assert conflict.ours == ("mine\n",)
    assert ours.splitlines()[conflict.ours_start] == "mine"
    assert theirs.splitlines()[conflict.theirs_start] == "theirs"
    assert base.splitlines()[conflict.base_start] == "tail"


def test_markdown_region_conflict() -> None:
    base = "# Title\n<!-- dayone:begin features -->\n- auth\n<!-- dayone:end features -->\n"
    ours = base.replace("- auth\n", "- auth\n- mine\n")
    theirs = base.replace("- auth\n", "- auth\n- billing\n")
    result = merge_file("README.md", base, ours, theirs)
    (conflict,) = result.conflicts
    assert conflict.name == "features"
    assert conflict.ours == ("- auth\n", "- mine\n")
    assert result.with_markers().endswith(">>>>>>> dayone\n<!-- dayone:end features -->\n")


def test_identities_hold_through_merge_file() -> None:
    assert merge_file("app/main.py", MAIN, MAIN, THEIRS).text() == THEIRS
    ours = MAIN.replace("return 1", "return 2")
    assert merge_file("app/main.py", MAIN, ours, MAIN).text() == ours
    assert merge_file("app/main.py", MAIN, THEIRS, THEIRS).text() == THEIRS


def test_text_conflict_around_a_disputed_region_shows_the_real_bodies() -> None:
    base = "top\n"
    ours = "top\nmine\n# dayone:begin r\nmy body\n# dayone:end r\n"
    theirs = "top\ntheirs\n# dayone:begin r\ngenerated body\n# dayone:end r\n"
    result = merge_file("conf.yaml", base, ours, theirs)
    (conflict,) = result.conflicts
    assert (conflict.kind, conflict.name) == ("region", "r")
    assert conflict.ours == tuple(ours.splitlines(keepends=True)[1:])
    assert conflict.theirs == tuple(theirs.splitlines(keepends=True)[1:])
    assert (conflict.ours_start, conflict.ours_end) == (1, 5)
    assert (conflict.theirs_start, conflict.theirs_end) == (1, 5)
    assert "dayone:conflict" not in result.with_markers()


def test_disputed_region_moved_by_the_generator_never_loses_the_users_body() -> None:
    # THEIRS moves the region to the top; OURS edits it and also adds a line at
    # the top, so the line merge cannot keep the user's body in one place.
    base = "A\nB\nC\nD\n# dayone:begin r\nbody\n# dayone:end r\n"
    ours = "Z\n" + base.replace("body", "my body")
    theirs = "# dayone:begin r\nnew body\n# dayone:end r\nA\nB\nC\nD\n"
    result = merge_file("notes.txt", base, ours, theirs)
    (conflict,) = result.chunks
    assert isinstance(conflict, Conflict)
    assert "".join(conflict.ours) == ours
    assert "".join(conflict.theirs) == theirs
    assert "".join(conflict.base) == base
    # Python's statement-aware merge copes: the region conflict moves with the region.
    result = merge_file("notes.py", base, ours, theirs)
    assert [(c.kind, c.name, c.ours) for c in result.conflicts] == [("region", "r", ("my body\n",))]
    assert result.with_markers().endswith("# dayone:end r\nZ\nA\nB\nC\nD\n")
