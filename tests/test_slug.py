"""Project slugs: names outside ASCII are transliterated, and a project made with
the old rule keeps its slug when it is regenerated."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from generator.spec import parse_spec
from generator.spec.models import derive_slug
from tests.regen.support import SPEC, Demo


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Acme CRM", "acme_crm"),
        ("Ünïcode", "unicode"),
        ("Straße Café", "strasse_cafe"),
        ("Łódź Øresund", "lodz_oresund"),
        ("😀 Smiles", "smiles"),  # symbols are dropped, not spelled out
        ("2024 Ledger", "project_2024_ledger"),
        ("★★★", "project"),
    ],
)
def test_the_slug_reads_as_the_name_does(name: str, slug: str) -> None:
    assert derive_slug(name) == slug
    spec = parse_spec(f'project: {{name: "{name}"}}\n')
    assert spec.project.package == slug


def _package_name(demo: Demo) -> str:
    name: str = tomllib.loads(demo.read("backend/pyproject.toml"))["project"]["name"]
    return name


UNICODE = SPEC.replace("{name: Regen Demo, slug: regen_demo}", '{name: "Ünïcode"}')


def test_a_new_project_gets_the_transliterated_slug_and_keeps_it(tmp_path: Path) -> None:
    demo = Demo.create(tmp_path / "new", UNICODE)
    assert _package_name(demo) == "unicode"
    assert demo.actions() == {}  # regenerating changes nothing


def test_a_project_made_with_the_old_slug_keeps_it(tmp_path: Path) -> None:
    # Day One 0.1.0 derived 'n_code' from this name; such a project is the same as
    # one made with that slug written out, whose spec then loses the slug line.
    demo = Demo.create(tmp_path / "old", UNICODE.replace('"Ünïcode"}', '"Ünïcode", slug: n_code}'))
    demo.spec(", slug: n_code}", "}")
    assert _package_name(demo) == "n-code"
    assert set(demo.actions()) <= {"dayone.yaml"}  # the package is not renamed
    demo.apply()
    assert _package_name(demo) == "n-code"
    assert set(demo.actions()) <= {"dayone.yaml"}  # and stays so after an apply


def test_renaming_an_old_project_follows_the_new_name(tmp_path: Path) -> None:
    demo = Demo.create(tmp_path / "old", UNICODE.replace('"Ünïcode"}', '"Ünïcode", slug: n_code}'))
    demo.spec('"Ünïcode", slug: n_code}', '"Ölberg"}')
    assert "backend/pyproject.toml" in demo.actions()
    demo.apply()
    assert _package_name(demo) == "olberg"
