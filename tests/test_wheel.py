"""The published package works on its own: the wheel carries the templates and the
examples, and its `dayone` generates, plans, applies and checks a project with no
source tree in sight."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

SOURCE = Path(__file__).resolve().parents[1]


def _run(argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    return result


def test_the_wheel_installs_and_runs_without_the_source_tree(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    dist = tmp_path / "dist"
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(SOURCE), "-w", str(dist)],
        tmp_path,
        env,
    )
    assert built.returncode == 0, built.stderr
    [wheel] = dist.glob("dayone-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "generator/_templates/project/.github/workflows/ci.yml.j2" in names
    assert {"generator/_examples/acme_crm.yaml", "generator/_examples/clinic.yaml"} <= set(names)

    # A fresh virtualenv that sees this environment's packages (Day One's
    # dependencies) after its own, so the wheel's `generator` is the one imported.
    venv = tmp_path / "venv"
    assert _run([sys.executable, "-m", "venv", str(venv)], tmp_path, env).returncode == 0
    python = venv / "bin" / "python"
    purelib = _run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        tmp_path,
        env,
    ).stdout.strip()
    (Path(purelib) / "shared.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = _run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], tmp_path, env
    )
    assert installed.returncode == 0, installed.stderr
    where = _run([str(python), "-c", "import generator; print(generator.__file__)"], tmp_path, env)
    assert where.stdout.strip().startswith(purelib), where.stdout  # not the checkout

    dayone = str(venv / "bin" / "dayone")
    spec = tmp_path / "crm.yaml"
    spec.write_bytes((Path(purelib) / "generator/_examples/acme_crm.yaml").read_bytes())
    project = tmp_path / "acme"
    for argv in (
        [dayone, "new", str(spec), "--out", str(project)],
        [dayone, "plan", str(project)],
        [dayone, "apply", str(project), "--apply"],
        [dayone, "check", str(project)],
    ):
        result = _run(argv, tmp_path, env)
        assert result.returncode == 0, (argv[1], result.stdout, result.stderr)
    assert (project / "backend" / "app" / "main.py").is_file()
