"""What the regeneration commands print: plain, unwrapped lines when piped (CI
logs, files), colour and rich's table on a terminal."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli.output import styled
from generator.plan.model import Action, ActionKind
from tests.regen.support import SPEC, Demo

# A name long enough that any wrapping at 80 columns would split its paths.
LONG = "AnEntityNameLongEnoughToWidenEveryPathBeyond"
NEW_ENTITY = f"""\
  - name: {LONG}
    fields:
      - {{name: title, type: string}}
"""


@pytest.fixture
def demo(tmp_path: Path) -> Demo:
    demo = Demo.create(tmp_path / "demo")
    demo.write("dayone.yaml", SPEC + NEW_ENTITY)
    return demo


def _dayone(*args: str) -> list[str]:
    command = [sys.executable, "-m", "generator.cli", *args]
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "FORCE_COLOR")}
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    assert result.returncode in (0, 1), result.stderr
    return result.stdout.splitlines()


def test_piped_plan_prints_one_aligned_line_per_change(demo: Demo) -> None:
    lines = _dayone("plan", str(demo.root))
    assert not any("\x1b[" in line for line in lines)
    header = lines[0].split()
    assert header == ["action", "path", "why"]
    rows = [line for line in lines[1:] if line.startswith("create ")]
    model = "backend/app/models/an_entity_name_long_enough_to_widen_every_path_beyond.py"
    (row,) = [r for r in rows if model in r]
    assert row.split(maxsplit=2) == ["create", model, "new in the template"]
    # columns line up: every path starts where the header's does
    column = lines[0].index("path")
    assert all(r.index("backend/") == column for r in rows if "backend/" in r)
    assert any(re.fullmatch(rf"\d+ files: {len(rows)} create, .*identical", line) for line in lines)


def test_piped_apply_report_is_plain(demo: Demo) -> None:
    _dayone("plan", str(demo.root))
    lines = _dayone("apply", str(demo.root), "--apply")
    assert not any("\x1b[" in line for line in lines)
    assert lines[-1].endswith("applied, 0 conflicts, 0 refused")
    assert any(line.startswith("create backend/app/models/an_entity_name_long") for line in lines)


def test_on_a_terminal_plan_prints_a_coloured_table(demo: Demo) -> None:
    leader, follower = pty.openpty()
    command = [sys.executable, "-m", "generator.cli", "plan", str(demo.root)]
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    with subprocess.Popen(command, stdout=follower, stderr=subprocess.PIPE, env=env) as process:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: the command has finished
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait() == 0, process.stderr.read() if process.stderr else ""
    os.close(leader)
    shown = b"".join(chunks).decode()
    assert "\x1b[32mcreate\x1b[0m" in shown  # the action word in green, by rich
    assert "action" in shown and "why" in shown


def test_styles_are_ansi_that_piped_output_drops() -> None:
    assert styled("conflict", "bold red") == "\x1b[31m\x1b[1mconflict\x1b[0m"
    assert styled("identical", "dim") == "\x1b[2midentical\x1b[0m"
    assert styled("create", "green") == "\x1b[32mcreate\x1b[0m"


def test_an_action_prints_its_hashes_but_not_the_files_it_carries() -> None:
    action = Action(
        "app/x.py",
        ActionKind.MERGE,
        "both changed",
        "p" * 64,
        "b" * 64,
        "r" * 64,
        content=b"merged body",
        theirs=b"template body",
        marked=b"<<<<<<<",
    )
    shown = repr(action)
    assert shown.startswith("Action(path='app/x.py', kind=<ActionKind.MERGE: 'merge'>")
    assert "r" * 64 in shown
    assert not any(body in shown for body in ("merged body", "template body", "<<<<<<<"))
