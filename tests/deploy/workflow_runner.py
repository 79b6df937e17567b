"""Run a GitHub Actions workflow's `run:` steps here, in order, as a runner would.

A small stand-in for a GitHub-hosted runner, enough for the workflow Day One
generates: for each job, every `run:` step runs with bash (GitHub's default
shell: ``bash --noprofile --norc -eo pipefail``) in its working directory
(the step's ``working-directory``, else the job's ``defaults.run``, relative to
the checkout), with the workflow's, the job's and the step's ``env`` layered in
that order and ``${{ env.X }}`` substituted. `uses:` steps cannot run without
GitHub; they are skipped with a note, and what they stand for is the caller's
part: the checkout is the project folder (a git work tree), and setup-python is
a fresh virtualenv whose ``bin`` comes first on ``PATH``.

Services (PostgreSQL, Redis) are this machine's: ``overrides`` replaces the
workflow's service URLs (``localhost:5432/app``) with local ones before any
``${{ env.X }}`` is read, so every step sees the same mapped values. Anything
the runner does not understand (another expression, a step ``if:``, another
shell) is an error rather than silently skipped, so a workflow that grows past
it fails the test instead of passing it untested.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
ENV_REFERENCE = re.compile(r"env\.([A-Za-z_][A-Za-z0-9_]*)")
SHELL = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]
# What the runner knows of a step; any other key is an error.
STEP_KEYS = {"name", "run", "uses", "with", "env", "working-directory", "shell"}
JOB_KEYS = {"runs-on", "services", "env", "defaults", "steps", "name", "timeout-minutes"}


class WorkflowError(Exception):
    """The workflow uses something this runner does not emulate."""


@dataclass
class StepResult:
    job: str
    name: str
    skipped: str | None = None  # why a step did not run (a `uses:` step)
    returncode: int = 0
    output: str = ""
    seconds: float = 0.0
    directory: str = "."
    env: dict[str, str] = field(default_factory=dict)  # the step's env, after mapping

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def describe(self) -> str:
        if self.skipped:
            return f"[{self.job}] {self.name}: skipped ({self.skipped})"
        state = "ok" if self.ok else f"exit {self.returncode}"
        return f"[{self.job}] {self.name}: {state} in {self.seconds:.0f}s ({self.directory})"


def substitute(text: str, env: Mapping[str, str]) -> str:
    """``text`` with each ``${{ env.X }}`` replaced by X's value in ``env``."""

    def value(match: re.Match[str]) -> str:
        reference = ENV_REFERENCE.fullmatch(match.group(1))
        if reference is None:
            raise WorkflowError(f"unsupported expression {match.group(0)!r}")
        name = reference.group(1)
        if name not in env:
            raise WorkflowError(f"{match.group(0)} names an unset variable")
        return env[name]

    return EXPRESSION.sub(value, text)


def _layer(env: Mapping[str, str], extra: Mapping[str, Any] | None) -> dict[str, str]:
    """``env`` with ``extra`` (a workflow ``env:`` block) added, its expressions read
    against what is set before it."""
    merged = dict(env)
    for name, raw in (extra or {}).items():
        merged[str(name)] = substitute(str(raw), env)
    return merged


def run_workflow(
    workflow: Path,
    checkout: Path,
    *,
    base_env: Mapping[str, str],
    overrides: Mapping[str, str | None] | None = None,
    timeout: float = 1800,
) -> list[StepResult]:
    """Run every `run:` step of ``workflow`` (a path to its YAML) with ``checkout`` as
    the repository's root, job by job in file order, stopping at the first failing
    step as GitHub does. ``base_env`` is the runner's environment; ``overrides`` set
    (or, with None, remove) variables after the workflow's and job's ``env``."""
    data = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    _check_emulated(data)
    results: list[StepResult] = []
    top_env = _layer(base_env, data.get("env"))
    top_dir = ((data.get("defaults") or {}).get("run") or {}).get("working-directory", ".")
    for job_name, job in data["jobs"].items():
        job_env = _layer(top_env, job.get("env"))
        for name, value in (overrides or {}).items():
            if value is None:
                job_env.pop(name, None)
            else:
                job_env[name] = value
        job_dir = ((job.get("defaults") or {}).get("run") or {}).get("working-directory", top_dir)
        for step in job["steps"]:
            name = str(step.get("name") or step.get("uses") or step.get("run", "").split("\n")[0])
            if "uses" in step:
                note = "a `uses:` action needs GitHub; the caller provides what it sets up"
                results.append(StepResult(job_name, name, skipped=note))
                continue
            env = _layer(job_env, step.get("env"))
            directory = substitute(str(step.get("working-directory", job_dir)), env)
            script = substitute(str(step["run"]), env)
            result = _run_step(script, checkout / directory, env, timeout)
            results.append(
                StepResult(
                    job_name,
                    name,
                    returncode=result[0],
                    output=result[1],
                    seconds=result[2],
                    directory=directory,
                    env={k: v for k, v in env.items() if base_env.get(k) != v},
                )
            )
            if result[0] != 0:
                return results
    return results


def _check_emulated(data: Mapping[str, Any]) -> None:
    """Refuse, before any step runs, a workflow using what this runner does not do."""
    for job_name, job in data["jobs"].items():
        if set(job) - JOB_KEYS:
            raise WorkflowError(f"job {job_name}: {sorted(set(job) - JOB_KEYS)} not emulated")
        for number, step in enumerate(job["steps"], start=1):
            unknown = set(step) - STEP_KEYS
            if unknown:
                raise WorkflowError(f"step {number} of {job_name}: {sorted(unknown)} not emulated")
            if step.get("shell", "bash") != "bash":
                raise WorkflowError(f"step {number} of {job_name}: only bash is emulated")


def _run_step(
    script: str, cwd: Path, env: Mapping[str, str], timeout: float
) -> tuple[int, str, float]:
    if not cwd.is_dir():
        return 1, f"working-directory {cwd} does not exist", 0.0
    with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as file:
        file.write(script)
    started = time.monotonic()
    try:
        done = subprocess.run(
            [*SHELL, file.name],
            cwd=cwd,
            env=dict(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            check=False,
        )
    finally:
        os.unlink(file.name)
    return done.returncode, done.stdout, time.monotonic() - started
