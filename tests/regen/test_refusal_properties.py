"""Property test: a write refused at a random path never loses the template's change.

Whatever the spec change and whichever project file the system refuses to write
(``DAYONE_FAIL_PATH`` makes that write fail as an immutable file would), the apply
reports that path, and then:

1. the manifest names exactly the baseline copies on disk (the project loads);
2. the next plan lists that path again, with the same action and the same result;
3. ``dayone check`` exits 1 until it is applied, and 0 once a plain apply has.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.plan import IN_SYNC
from generator.project import load_baseline
from tests.regen.support import Demo

SPEC_CHANGES = {
    "widen-field": ("max_length: 100", "max_length: 120"),
    "add-field": (
        "      - {name: done, type: boolean, default: false}\n",
        "      - {name: done, type: boolean, default: false}\n"
        "      - {name: due, type: date, required: false}\n",
    ),
    "add-entity": (
        "entities:\n",
        "entities:\n  - name: Tag\n    fields: [{name: label, type: string}]\n",
    ),
}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Demo.create(tmp_path_factory.mktemp("refusals") / "demo").root


def check(root: Path) -> int:
    result = subprocess.run(
        [sys.executable, "-m", "generator.cli", "check", str(root)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    change=st.sampled_from(sorted(SPEC_CHANGES)),
    pick=st.integers(min_value=0, max_value=10_000),
    error=st.sampled_from(["EACCES", "EPERM"]),
)
def test_a_refused_path_is_planned_again_until_applied(
    pristine: Path, tmp_path_factory: pytest.TempPathFactory, change: str, pick: int, error: str
) -> None:
    demo = Demo(shutil.copytree(pristine, tmp_path_factory.mktemp("case") / "demo", symlinks=True))
    demo.spec(*SPEC_CHANGES[change])
    first = demo.plan().plan
    changes = [a for a in first.changes if a.kind.value in ("create", "update", "delete")]
    assert changes, change
    refused = changes[pick % len(changes)]
    with mock.patch.dict(os.environ, {"DAYONE_FAIL_PATH": f"{refused.path}:{error}"}):
        result = demo.apply()
    assert [path for path, _ in result.refused] == [refused.path]
    assert result.exit_code == 1

    load_baseline(demo.root)  # 1: the manifest and the baseline copies agree
    again = demo.plan().plan
    action = again.action(refused.path)
    assert action is not None and action.kind not in IN_SYNC  # 2
    assert (action.kind, action.result) == (refused.kind, refused.result)
    assert action.theirs == refused.theirs  # the template's change, unchanged
    assert check(demo.root) == 1  # 3

    assert demo.apply().exit_code == 0
    assert check(demo.root) == 0
