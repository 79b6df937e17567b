"""Reproducible fuzzing: the Hypothesis profile of Day One's suite and the seed of
every Hypothesis test and schemathesis run (docs/testing.md). Loaded by
tests/conftest.py; kept apart so that a subprocess can load it cheaply.
"""

from __future__ import annotations

import os
import random

import pytest
from hypothesis import settings

# DAYONE_FUZZ_SEED picks the examples of every Hypothesis test and schemathesis run:
# unset, each run tests the same examples (CI can only fail on a change, and a failure
# fails again); an integer replays or explores that seed; "random" draws a new one
# each run (a failed run prints the seed it drew).
SEED_VARIABLE = "DAYONE_FUZZ_SEED"
# The schemathesis seed when DAYONE_FUZZ_SEED is unset (Hypothesis tests derandomize
# instead: each test's seed is a hash of its code).
DEFAULT_SCHEMATHESIS_SEED = 0


def read_seed(variable: str) -> int | None:
    """A seed variable as an integer, None when unset; "random" draws one."""
    value = os.environ.get(variable, "").strip()
    if not value:
        return None
    if value == "random":
        return random.SystemRandom().getrandbits(32)
    try:
        return int(value)
    except ValueError:
        raise pytest.UsageError(
            f"{variable}={value!r} is not a seed: set it to an integer, to 'random', "
            "or leave it unset for the fixed examples"
        ) from None


def fuzz_seed() -> int | None:
    """DAYONE_FUZZ_SEED as an integer, None when unset; "random" draws one."""
    return read_seed(SEED_VARIABLE)


settings.register_profile("dayone-fixed", derandomize=True, print_blob=True)
settings.register_profile("dayone-seeded", database=None, print_blob=True)
settings.load_profile("dayone-fixed" if not os.environ.get(SEED_VARIABLE) else "dayone-seeded")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Hand DAYONE_FUZZ_SEED to Hypothesis as --hypothesis-seed, before its plugin
    reads the option. "random" is drawn here once and written back to the
    environment, so xdist workers and the schemathesis subprocesses share it."""
    seed = fuzz_seed()
    if seed is None:
        return
    os.environ[SEED_VARIABLE] = str(seed)
    if config.getoption("hypothesis_seed", None) is None:
        config.option.hypothesis_seed = seed


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int) -> None:
    """On failure, say how to try the same examples again."""
    if exitstatus != pytest.ExitCode.TESTS_FAILED:
        return
    seed = os.environ.get(SEED_VARIABLE)
    if seed:
        line = f"{SEED_VARIABLE}={seed}: set it again to replay this run's examples"
    else:
        line = f"{SEED_VARIABLE} unset: a re-run tries the same examples (docs/testing.md)"
    terminalreporter.write_line(line)
