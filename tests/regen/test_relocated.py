"""Files that change place with the spec (templates/layout.yaml `relocated`):
turning the web app on moves the image build from backend/ to the project
root, and the user's edits to the old files travel with them."""

from __future__ import annotations

from pathlib import Path

from tests.regen.support import SPEC, Demo, dayone

DEPLOYED = SPEC + "deploy: [docker, fly]\n"
WEB_ON = (
    "orgs: {invitations: false}\n",
    "orgs: {invitations: false}\nfrontend: react\nauth: {cookie_mode: true}\n",
)
OURS = "RUN apt-get update && apt-get install -y --no-install-recommends libmagic1  # ours\n"
ANCHOR = "COPY --from=builder /opt/venv /opt/venv\n"


def _demo(tmp_path: Path) -> Demo:
    return Demo.create(tmp_path / "demo", DEPLOYED)


def test_untouched_files_move_with_the_web_app(tmp_path: Path) -> None:
    demo = _demo(tmp_path)
    demo.spec(*WEB_ON)
    actions = demo.actions()
    assert actions["Dockerfile"] == "move"
    assert actions[".dockerignore"] == "move"
    assert "backend/Dockerfile" not in actions  # one action: the move
    report = demo.plan_and_apply()
    assert not report.conflicts
    assert not (demo.root / "backend/Dockerfile").exists()
    assert not (demo.root / "backend/.dockerignore").exists()
    assert "COPY frontend" in demo.read("Dockerfile")
    assert dayone("check", str(demo.root)).returncode == 0


def test_an_edit_travels_to_the_new_place_and_back(tmp_path: Path) -> None:
    demo = _demo(tmp_path)
    demo.edit("backend/Dockerfile", ANCHOR, OURS + ANCHOR)
    demo.spec(*WEB_ON)
    report = demo.plan_and_apply()
    assert not report.conflicts
    assert not (demo.root / "backend/Dockerfile").exists()
    moved = demo.read("Dockerfile")
    assert OURS + ANCHOR in moved and "COPY frontend" in moved
    assert dayone("check", str(demo.root)).returncode == 0

    demo.spec(WEB_ON[1], WEB_ON[0])  # the web app off again: back to backend/
    report = demo.plan_and_apply()
    assert not report.conflicts
    assert not (demo.root / "Dockerfile").exists()
    back = demo.read("backend/Dockerfile")
    assert OURS + ANCHOR in back and "COPY frontend" not in back


def test_an_edit_that_does_not_merge_is_kept_and_reported(tmp_path: Path) -> None:
    demo = _demo(tmp_path)
    # Where the web app's build stage goes: the same lines change on both sides.
    demo.edit(
        "backend/Dockerfile", "FROM python:", "# ours: base image pinned by digest\nFROM python:"
    )
    edited = demo.read("backend/Dockerfile")
    demo.spec(*WEB_ON)
    report = demo.plan_and_apply()
    assert [(c.path, c.kind.value) for c, _ in report.conflicts] == [("Dockerfile", "conflict")]
    assert demo.read("backend/Dockerfile") == edited  # nothing of the user's is lost
    # The template's version waits beside it, for the user to carry the edit over.
    assert "COPY frontend" in demo.read("Dockerfile.new")
    assert not (demo.root / "Dockerfile").exists()
    check = dayone("check", str(demo.root))
    assert check.returncode == 1
    assert "Dockerfile" in check.stdout
