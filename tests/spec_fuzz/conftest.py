"""Specs drawn from the strategy, reproducibly: DAYONE_SPEC_SEED picks the draw.

Unset, every run draws the same specs (seed 0), so CI fails only on a change and a
failure fails again; an integer draws that seed's specs; "random" draws a new seed,
and the seed is printed either way (docs/testing.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings

from tests.fuzzing import read_seed
from tests.spec_fuzz.strategies import Spec, specs, to_yaml

SEED_VARIABLE = "DAYONE_SPEC_SEED"
REGRESSIONS = Path(__file__).parent / "regressions"


DEFAULT_SEED = 0


def spec_seed() -> int:
    seed = read_seed(SEED_VARIABLE)
    return DEFAULT_SEED if seed is None else seed


def draw_specs(count: int, at: int) -> list[Spec]:
    """``count`` specs drawn from ``specs()`` by a seeded, database-less hypothesis run
    (its first, smallest example left out)."""
    drawn: list[Spec] = []

    @seed(at)
    @settings(
        max_examples=count + 1,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(specs())
    def collect(spec: Spec) -> None:
        drawn.append(spec)

    collect()
    return drawn[-count:]


def explain(spec_seed: int, spec: Spec) -> str:
    """What a failure prints: how to draw the spec again, and the spec itself."""
    return (
        f"\n{SEED_VARIABLE}={spec_seed} reproduces this draw; the spec "
        f"(paste it into tests/spec_fuzz/regressions/):\n{to_yaml(spec)}"
    )


def cli(
    *args: str, cwd: Path | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        (sys.executable, "-m", "generator.cli", *args),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="session")
def seed_value() -> int:
    value = spec_seed()
    print(f"\nspec fuzzer: {SEED_VARIABLE}={value}")
    return value


def dump(path: Path, spec: dict[str, Any]) -> Path:
    path.write_text(to_yaml(spec), encoding="utf-8")
    return path
