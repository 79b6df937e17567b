"""The generated project's dependency locks (generator/render/locks.py).

Cheap checks for every point of the dependency matrix (billing provider, jobs,
metrics, TOTP, SMTP, S3), without installing anything; the integration test
below installs one project's lock into a fresh virtualenv."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from collections.abc import Callable
from functools import cache
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from generator.paths import templates_dir
from generator.render.locks import (
    DEV_LOCK,
    RUNTIME_LOCK,
    LockError,
    Pin,
    closure,
    normalize,
    parse_lock,
    project_locks,
    requirements,
)
from tools import lock_deps
from tools.lock_deps import problems, render_pyproject, variant_spec

PROVIDERS = ["none", "stripe", "payfast", "razorpay"]
VARIANTS = [
    variant_spec(provider, jobs=jobs, metrics=flag, totp=flag, smtp=flag, s3=flag)
    for provider, jobs, flag in itertools.product(PROVIDERS, [False, True], [False, True])
]

SAMPLE = """\
# header
anyio==4.6.0 \\
    --hash=sha256:aaaa \\
    --hash=sha256:bbbb
    # via
    #   httpx
    #   starlette
idna==3.10 \\
    --hash=sha256:cccc
    # via anyio
starlette==0.41.0 \\
    --hash=sha256:dddd
    # via -r requirements.in
uvloop==0.21.0 ; sys_platform != 'win32' \\
    --hash=sha256:eeee
    # via uvicorn
"""


def test_a_lock_is_read_with_hashes_markers_and_what_needs_each_pin() -> None:
    pins = parse_lock(SAMPLE)
    assert [(p.name, p.version) for p in pins] == [
        ("anyio", "4.6.0"),
        ("idna", "3.10"),
        ("starlette", "0.41.0"),
        ("uvloop", "0.21.0"),
    ]
    assert pins[0].via == {"httpx", "starlette"}
    assert pins[0].lines[1:] == ("    --hash=sha256:aaaa \\", "    --hash=sha256:bbbb")
    assert pins[3].lines[0].startswith("uvloop==0.21.0 ; sys_platform")
    assert [p.name for p in closure(pins, ["Starlette"])] == ["anyio", "idna", "starlette"]


def _emitted(spec: str) -> tuple[str, dict[str, list[Pin]]]:
    pyproject = render_pyproject(spec)
    files = project_locks(pyproject, templates_dir())
    return pyproject, {path: parse_lock(text) for path, text in files.items()}


@cache
def _installed() -> dict[str, tuple[str, list[Requirement]]]:
    """name -> (version, requirements) of every distribution installed here."""
    return {
        normalize(dist.metadata["Name"]): (
            dist.version,
            [Requirement(r) for r in dist.requires or []],
        )
        for dist in metadata.distributions()
    }


def _installed_requirements(pin: Pin) -> list[Requirement]:
    """What the installed distribution of ``pin`` requires here, when it is
    installed at the pinned version (CI installs exactly the locked versions)."""
    version, reqs = _installed().get(pin.name, ("", []))
    return reqs if version == pin.version else []


@pytest.mark.parametrize("spec", VARIANTS, ids=range(len(VARIANTS)))
def test_each_project_lock_pins_its_requirements_and_only_what_they_need(spec: str) -> None:
    pyproject, locks = _emitted(spec)
    runtime, test = requirements(pyproject)
    for path, wanted in (
        (f"backend/{RUNTIME_LOCK}", runtime),
        (f"backend/{DEV_LOCK}", runtime + test),
    ):
        pins = {pin.name: pin for pin in locks[path]}
        # every requirement of pyproject.toml is pinned, at a version its range admits
        for req in wanted:
            pin = pins.get(normalize(req.name))
            assert pin is not None, f"{path} does not pin {req}"
            assert req.specifier.contains(pin.version, prereleases=True), (path, req, pin)
        # nothing outside the closure: each pin is a requirement or needed by another pin
        roots = {normalize(r.name) for r in wanted}
        for pin in pins.values():
            needed_by = {normalize(v.split(" ")[0]) for v in pin.via}
            assert pin.name in roots or needed_by & pins.keys(), f"{path}: {pin.name} is unneeded"
        # complete, by the installed packages' own metadata (where installed at the pin)
        for pin in pins.values():
            for req in _installed_requirements(pin):
                if req.marker is None or req.marker.evaluate({"extra": ""}):
                    assert normalize(req.name) in pins, f"{path}: {pin.name} needs {req}"
    # the runtime lock is the dev lock's runtime part, at the same versions
    # (a universal lock may pin one package twice, at versions for different Pythons)
    dev = {(p.name, p.version) for p in locks[f"backend/{DEV_LOCK}"]}
    assert all((p.name, p.version) in dev for p in locks[f"backend/{RUNTIME_LOCK}"])


def test_locks_differ_by_what_the_spec_turns_on() -> None:
    _, bare = _emitted(variant_spec("none"))
    _, full = _emitted(variant_spec("stripe", jobs=True, metrics=True, totp=True))
    names = {p.name for p in bare[f"backend/{RUNTIME_LOCK}"]}
    assert not names & {"stripe", "rq", "prometheus-client", "pyotp", "razorpay"}
    assert {"stripe", "rq", "prometheus-client", "pyotp"} <= {
        p.name for p in full[f"backend/{RUNTIME_LOCK}"]
    }


def test_the_ranges_and_the_master_locks_agree() -> None:
    """Every variant's pyproject.toml and Day One's own pyproject.toml admit the
    pins (what `python tools/lock_deps.py --check` reports)."""
    assert problems() == []


def test_a_range_the_master_lock_does_not_satisfy_is_a_clear_error() -> None:
    pyproject = render_pyproject(variant_spec("none")).replace(
        '"fastapi>=0.137.2,<1"', '"fastapi>=999"'
    )
    with pytest.raises(LockError) as caught:
        project_locks(pyproject, templates_dir())
    assert "fastapi>=999" in caught.value.message
    assert "tools/lock_deps.py" in (caught.value.hint or "")


def test_the_check_command_passes_without_the_network() -> None:
    assert lock_deps.main(["--check"]) == 0


@pytest.mark.integration
def test_the_runtime_lock_installs_alone_and_the_app_imports(
    generate: Callable[[str], Path], tmp_path: Path
) -> None:
    """In a fresh virtualenv: the lock with --require-hashes --no-deps, pip check,
    the project with --no-deps; then the app imports and builds its OpenAPI."""
    backend = generate("acme_crm.yaml") / "backend"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    pip = [python, "-m", "pip", "--disable-pip-version-check"]
    started = time.monotonic()
    for step, cwd in (
        ([*pip, "install", "-q", "--require-hashes", "--no-deps", "-r", RUNTIME_LOCK], backend),
        ([*pip, "check"], backend),
        ([*pip, "install", "-q", "--no-deps", "-e", "."], backend),
        # outside backend/: the app is imported from the installed project
        ([python, "-c", "import app.main; assert app.main.app.openapi()['paths']"], tmp_path),
    ):
        result = subprocess.run(
            step, cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False
        )
        assert result.returncode == 0, (step, result.stdout[-3000:], result.stderr[-3000:])
    print(f"installed from the lock and imported in {time.monotonic() - started:.1f}s")
