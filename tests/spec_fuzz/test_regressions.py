"""Specs the fuzzer found failing, kept: each generated project's suite passes.

A spec in regressions/ may name the tests that failed with a first-line comment
``# select: <pytest -k expression>``; only those run (the fast way to keep the
fix). Without it the whole suite runs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import python, run_in
from tests.spec_fuzz.conftest import REGRESSIONS, cli

pytestmark = pytest.mark.integration

SPECS = sorted(REGRESSIONS.glob("*.yaml"))


def _selection(text: str) -> tuple[str, ...]:
    first = text.splitlines()[0] if text else ""
    prefix = "# select:"
    return ("-k", first[len(prefix) :].strip()) if first.startswith(prefix) else ()


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_regression_spec_passes_its_suite(
    generate: Callable[[str], Path], redis_env: dict[str, str], path: Path
) -> None:
    text = path.read_text(encoding="utf-8")
    selection = _selection(text)
    result = run_in(
        generate(text),
        *python("-m", "pytest", "-q", "-p", "no:cacheprovider", *selection),
        env=redis_env,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-6000:]
    assert " passed" in result.stdout


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_regression_spec_passes_the_linters(generate: Callable[[str], Path], path: Path) -> None:
    """ruff check and ruff format --check, as the generated CI runs them (the
    same generated project as the suite above)."""
    project = generate(path.read_text(encoding="utf-8"))
    for check in (("ruff", "check", "."), ("ruff", "format", "--check", ".")):
        result = run_in(project, *python("-m", *check))
        assert result.returncode == 0, (result.stdout + result.stderr)[-6000:]


REJECTED = sorted((REGRESSIONS / "rejected").glob("*.yaml"))


@pytest.mark.parametrize("path", REJECTED, ids=[p.stem for p in REJECTED])
def test_a_spec_the_generated_code_cannot_take_is_refused_clearly(path: Path) -> None:
    """Specs whose names no generated code could use cleanly: `dayone spec
    validate` refuses them with the message on the first line (``# error: ...``)."""
    expected = path.read_text(encoding="utf-8").splitlines()[0].removeprefix("# error:").strip()
    result = cli("spec", "validate", str(path))
    assert result.returncode == 2, result.stdout + result.stderr
    assert expected in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
