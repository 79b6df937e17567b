"""The web app (``frontend: react``) under regeneration and validation; no Node needed."""

from __future__ import annotations

from pathlib import Path

from generator.render import render
from generator.spec import parse_spec
from tests.regen.support import SPEC, Demo, dayone

WEB_SPEC = SPEC.replace(
    "orgs: {invitations: false}\n",
    "orgs: {invitations: false}\nfrontend: react\nauth: {cookie_mode: true}\n",
)
PAGE = "frontend/src/pages/entities/ticket.ts"


def test_off_by_default_and_on_when_asked() -> None:
    plain = render(parse_spec(SPEC)).files
    web = render(parse_spec(WEB_SPEC)).files
    assert not any(path.startswith("frontend/") for path in plain)
    assert "backend/app/core/web.py" not in plain
    assert {PAGE, "frontend/package-lock.json", "backend/app/core/web.py"} <= web.keys()
    # The sources and the lock are the same for every spec: one lock fits all.
    lock = Path(__file__).parents[2] / "templates/project/frontend/package-lock.json"
    assert web["frontend/package-lock.json"] == lock.read_bytes()


def test_a_hand_edit_to_a_page_survives_a_new_field(tmp_path: Path) -> None:
    demo = Demo.create(tmp_path / "demo", WEB_SPEC)
    demo.edit(PAGE, 'label: "Title",', 'label: "Headline (ours)",')
    demo.spec(
        "      - {name: done, type: boolean, default: false}\n",
        "      - {name: done, type: boolean, default: false}\n"
        "      - {name: due_on, type: date, required: false}\n",
    )
    report = demo.plan_and_apply()
    assert not report.conflicts
    page = demo.read(PAGE)
    assert 'label: "Headline (ours)",' in page
    assert 'name: "due_on",' in page
    assert '"due_on"' in page.split("columns:")[1]
    assert not (demo.root / f"{PAGE}.new").exists()


def test_an_unknown_front_end_is_refused(tmp_path: Path) -> None:
    spec = tmp_path / "dayone.yaml"
    spec.write_text(WEB_SPEC.replace("frontend: react", "frontend: vue"))
    result = dayone("spec", "validate", str(spec))
    assert result.returncode == 2
    assert "'vue' is not allowed; use one of 'none', 'react'" in result.stdout + result.stderr
