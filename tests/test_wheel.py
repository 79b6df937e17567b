"""The published package works on its own: the wheel carries the templates and the
examples, its `dayone` generates, plans, applies and checks a project with no
source tree in sight, records itself as the released distribution, and installs
with pipx."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from generator import __version__

pytestmark = pytest.mark.integration


def _run(argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    return result


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def test_the_wheel_installs_and_runs_without_the_source_tree(
    tmp_path: Path, dayone_wheel: Path, released_dayone: Path
) -> None:
    env = _clean_env()
    names = zipfile.ZipFile(dayone_wheel).namelist()
    assert "generator/_templates/project/.github/workflows/ci.yml.j2" in names
    assert {"generator/_examples/acme_crm.yaml", "generator/_examples/clinic.yaml"} <= set(names)
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)

    venv = released_dayone
    python = venv / "bin" / "python"
    where = _run([str(python), "-c", "import generator; print(generator.__file__)"], tmp_path, env)
    assert where.stdout.strip().startswith(str(venv)), where.stdout  # not the checkout

    dayone = str(venv / "bin" / "dayone")
    spec = tmp_path / "crm.yaml"
    spec.write_bytes(zipfile.ZipFile(dayone_wheel).read("generator/_examples/acme_crm.yaml"))
    project = tmp_path / "acme"
    for argv in (
        [dayone, "new", str(spec), "--out", str(project)],
        [dayone, "plan", str(project)],
        [dayone, "apply", str(project), "--apply"],
        [dayone, "check", str(project)],
    ):
        result = _run(argv, tmp_path, env)
        assert result.returncode == 0, (argv[1], result.stdout, result.stderr)
        assert "warning" not in result.stderr, result.stderr  # the release is pinned
    assert (project / "backend" / "app" / "main.py").is_file()
    pin = (project / ".dayone" / "requirements.txt").read_text().splitlines()
    assert pin[-1] == f"dayone-saas=={__version__}"


def test_pipx_installs_the_wheel(tmp_path: Path, dayone_wheel: Path) -> None:
    """`pipx install` puts `dayone` on the path in a virtualenv of its own (its
    dependencies from the package index); a wheel installed from a file is not a
    release CI can install, and `dayone new` says so."""
    env = {
        **_clean_env(),
        "PIPX_HOME": str(tmp_path / "pipx"),
        "PIPX_BIN_DIR": str(tmp_path / "bin"),
        "PIPX_MAN_DIR": str(tmp_path / "man"),
    }
    pipx = str(Path(sys.executable).with_name("pipx"))
    installed = _run([pipx, "install", str(dayone_wheel)], tmp_path, env)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    dayone = str(tmp_path / "bin" / "dayone")
    version = _run([dayone, "--version"], tmp_path, env)
    assert version.stdout.strip() == f"dayone {__version__}", version.stderr
    spec = tmp_path / "crm.yaml"
    spec.write_bytes(zipfile.ZipFile(dayone_wheel).read("generator/_examples/acme_crm.yaml"))
    validated = _run([dayone, "spec", "validate", str(spec)], tmp_path, env)
    assert validated.returncode == 0, validated.stderr
