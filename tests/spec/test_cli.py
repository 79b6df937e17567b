"""`dayone spec validate`, `spec schema` and `new` on specs: in-process and for real."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.spec import SpecError

ACME = Path(__file__).resolve().parents[2] / "examples" / "acme_crm.yaml"
DAYONE = Path(sys.executable).with_name("dayone")

# Three structural problems, reported together (the cross-field rules wait for them).
BAD_STRUCTURE = """\
project:
  name: Broken
jobs: celery
entities:
  - name: ticket
    fields:
      - {name: title, type: string, requird: true}
"""
# Four cross-field problems, reported together.
BAD_RULES = """\
project:
  name: Broken
rbac:
  roles: [owner, member]
  manage_members: admin
entities:
  - name: Ticket
    fields:
      - {name: id, type: string}
      - {name: body, type: strng}
      - {name: parent, type: ref, to: Tikcet}
"""
BAD_RULES_LINES = [
    "bad.yaml:5: rbac.manage_members: unknown role 'admin'",
    "bad.yaml:9: entities[0].fields[0].name: 'id' collides with a built-in column",
    "bad.yaml:10: entities[0].fields[1].type: unknown type 'strng' (did you mean 'string'?)",
    "bad.yaml:11: entities[0].fields[2].to: unknown entity 'Tikcet' (did you mean 'Ticket'?)",
]

runner = CliRunner()


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty folder, so paths in the output are short and nothing leaks."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_validate_accepts_the_acme_example() -> None:
    result = runner.invoke(app, ["spec", "validate", str(ACME)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert text.startswith("ok ")
    assert "project 'Acme CRM' (acme_crm), 4 roles, Contact, Deal" in text


@pytest.mark.parametrize(
    ("rbac", "warned"),
    [
        ("{roles: [lead, staff], manage_members: staff}", True),
        ("{roles: [a, b, c], manage_members: c}", True),
        ("{roles: [lead, staff]}", False),
        ("{roles: [a, b, c], manage_members: b}", False),
    ],
)
def test_validate_warns_when_the_lowest_role_manages_members(
    in_tmp: Path, rbac: str, warned: bool
) -> None:
    (in_tmp / "spec.yaml").write_text(f"project: {{name: P}}\nrbac: {rbac}\n")
    result = runner.invoke(app, ["spec", "validate", "spec.yaml"])
    assert result.exit_code == 0, result.output
    assert "ok" in result.output
    warning = "warning: rbac.manage_members: the lowest role"
    assert (warning in result.output) is warned, result.output


def test_validate_raises_one_spec_error_with_every_problem(in_tmp: Path) -> None:
    Path("bad.yaml").write_text(BAD_RULES, encoding="utf-8")
    result = runner.invoke(app, ["spec", "validate", "bad.yaml"])
    # in-process the error reaches the runner; `main()` prints it (see the subprocess test)
    assert result.exit_code != 0
    assert isinstance(result.exception, SpecError)
    message = result.exception.message
    assert message.startswith("bad.yaml has 4 problems:")
    for line in BAD_RULES_LINES:
        assert line in message


def test_validate_reports_structural_problems_together(in_tmp: Path) -> None:
    Path("bad.yaml").write_text(BAD_STRUCTURE, encoding="utf-8")
    result = runner.invoke(app, ["spec", "validate", "bad.yaml"])
    assert isinstance(result.exception, SpecError)
    assert [(p.line, p.where) for p in result.exception.problems] == [
        (3, "jobs"),
        (5, "entities[0].name"),
        (7, "entities[0].fields[0].requird"),
    ]


def test_validate_of_a_missing_file(in_tmp: Path) -> None:
    result = runner.invoke(app, ["spec", "validate", "missing.yaml"])
    assert isinstance(result.exception, SpecError)
    assert "no spec file at missing.yaml" in result.exception.message


def test_schema_prints_valid_json_schema() -> None:
    result = runner.invoke(app, ["spec", "schema"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "Day One spec (dayone.yaml)"
    assert schema["required"] == ["project"]
    assert {"ProjectSpec", "EntitySpec", "FieldSpec"} <= set(schema["$defs"])


def test_new_on_a_bad_spec_writes_nothing(in_tmp: Path) -> None:
    Path("bad.yaml").write_text(BAD_RULES, encoding="utf-8")
    before = sorted(in_tmp.iterdir())
    result = runner.invoke(app, ["new", "bad.yaml", "--out", "out"])
    assert isinstance(result.exception, SpecError)
    assert not (in_tmp / "out").exists()
    assert sorted(in_tmp.iterdir()) == before  # not even the default production_projects/


def test_new_on_a_missing_spec_writes_nothing(in_tmp: Path) -> None:
    result = runner.invoke(app, ["new", "missing.yaml", "--out", "out"])
    assert isinstance(result.exception, SpecError)
    assert list(in_tmp.iterdir()) == []


# --- the real command line ---------------------------------------------------------------------


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert DAYONE.exists(), f"the dayone script is not installed next to {sys.executable}"
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [str(DAYONE), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )


def test_real_validate_prints_every_problem_and_exits_2(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(BAD_RULES, encoding="utf-8")
    result = _run("spec", "validate", "bad.yaml", cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output
    assert result.stderr.startswith("error: bad.yaml has 4 problems:")
    for line in BAD_RULES_LINES:
        assert line in result.stderr
    assert "hint: Fix these and run `dayone spec validate` again." in result.stderr
    assert result.stdout == ""


def test_real_new_on_a_bad_spec_exits_2_and_creates_no_folder(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(BAD_STRUCTURE, encoding="utf-8")
    result = _run("new", "bad.yaml", "--out", "generated", cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output
    assert "bad.yaml:3: jobs: 'celery' is not allowed" in result.stderr
    assert "bad.yaml:7: entities[0].fields[0].requird: unknown key 'requird'" in result.stderr
    assert not (tmp_path / "generated").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]
