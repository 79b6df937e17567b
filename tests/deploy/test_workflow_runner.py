"""The workflow runner itself (tests/deploy/workflow_runner.py), on a small workflow:
environment layering, expressions, working directories, `uses:` skipped, and the
first failing step ending the job."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.deploy.workflow_runner import WorkflowError, run_workflow

WORKFLOW = """\
env: {TOP: top}
jobs:
  test:
    env:
      SERVICE: postgresql://localhost:5432/app
      FROM_TOP: ${{ env.TOP }}-job
    defaults: {run: {working-directory: sub}}
    steps:
      - uses: actions/checkout@0000000000000000000000000000000000000000
      - name: Where and what
        env: {STEP: "${{ env.SERVICE }}"}
        run: |
          pwd > ../where.txt
          echo "$FROM_TOP $SERVICE $STEP" > ../env.txt
      - name: From the root
        working-directory: .
        run: test -d sub && touch root.txt
      - name: Fails
        run: false && true; echo "not reached by -e" > ../reached.txt; exit 3
      - name: Never
        run: touch ../never.txt
"""


def _project(tmp_path: Path, text: str) -> Path:
    (tmp_path / "sub").mkdir()
    (tmp_path / "ci.yml").write_text(text)
    return tmp_path


def test_steps_run_in_order_with_their_env_and_folders(tmp_path: Path) -> None:
    root = _project(tmp_path, WORKFLOW)
    local = "postgresql://127.0.0.1:5432/mine"
    results = run_workflow(
        root / "ci.yml", root, base_env=dict(os.environ), overrides={"SERVICE": local}
    )
    assert [(r.name, r.skipped is not None, r.returncode) for r in results] == [
        ("actions/checkout@0000000000000000000000000000000000000000", True, 0),
        ("Where and what", False, 0),
        ("From the root", False, 0),
        ("Fails", False, 3),
    ]
    assert (root / "where.txt").read_text().strip() == str(root / "sub")
    # the override reaches the job's env and the step's ${{ env.SERVICE }}
    assert (root / "env.txt").read_text().split() == ["top-job", local, local]
    assert (root / "root.txt").exists()
    assert (root / "reached.txt").exists() and not (root / "never.txt").exists()


def test_what_it_cannot_emulate_is_an_error(tmp_path: Path) -> None:
    root = _project(tmp_path, WORKFLOW.replace("${{ env.TOP }}", "${{ github.sha }}"))
    with pytest.raises(WorkflowError, match="unsupported expression"):
        run_workflow(root / "ci.yml", root, base_env=dict(os.environ))
    (root / "ci.yml").write_text(
        WORKFLOW.replace("- name: Never", "- if: always()\n        name: N")
    )
    with pytest.raises(WorkflowError, match="not emulated"):
        run_workflow(root / "ci.yml", root, base_env=dict(os.environ))
