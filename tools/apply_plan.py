"""Apply a project's plan.json: `python tools/apply_plan.py DIR [--apply] ...`.

A thin wrapper over `dayone apply`, for environments that call the tool by
path. Exit codes: 0 all applied, 1 conflicts or refusals remain, 2 error.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.cli import main


def run(argv: list[str]) -> None:
    sys.argv = ["dayone", "apply", *argv]
    main()


if __name__ == "__main__":
    run(sys.argv[1:])
