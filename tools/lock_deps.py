"""Refresh or check Day One's master locks (templates/locks/).

    python tools/lock_deps.py            # re-resolve, keeping current pins where they still fit
    python tools/lock_deps.py --upgrade  # re-resolve to the newest versions the ranges allow
    python tools/lock_deps.py --check    # no network: do the ranges and the locks agree?

The inputs are not written by hand: ``backend/pyproject.toml`` is rendered from
its template for specs that together turn on every optional dependency (each
billing provider, jobs, metrics, TOTP, SMTP, S3), and their requirements'
union is resolved with ``uv pip compile --generate-hashes --universal`` for
Python 3.11 and up. ``requirements.lock`` holds the runtime dependencies;
``requirements-dev.lock`` adds the generated projects' test dependencies and
Day One's own (with its ``test`` extra), constrained to the runtime pins, so
Day One's CI can install everything at the versions projects ship
(``.ci/run``). A generated project's locks are the closure of its own
requirements in these (``generator/render/locks.py``). Resolving needs uv
(``pip install -e ".[lock]"``) and the package index; ``--check`` needs neither.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from packaging.requirements import Requirement

from generator import __version__
from generator.paths import templates_dir
from generator.render import make_environment
from generator.render.compiled import CompiledLoader
from generator.render.locks import (
    DEV_LOCK,
    RUNTIME_LOCK,
    LockError,
    master_locks,
    normalize,
    project_locks,
    requirements,
)
from generator.spec.loader import parse_spec

ROOT = Path(__file__).resolve().parent.parent
PYTHON = "3.11"
COMMAND = "python tools/lock_deps.py"

_PLANS = {
    "stripe": "[{id: free, features: []}, {id: pro, price_id: price_pro, features: [a]}]",
    "razorpay": "[{id: free, features: []}, {id: pro, price_id: plan_Pro01, features: [a]}]",
    "payfast": "[{id: free, features: []}, {id: pro, amount: 10, features: [a]}]",
    "none": "[]",
}


def variant_spec(
    provider: str = "none",
    *,
    jobs: bool = False,
    metrics: bool = False,
    totp: bool = False,
    smtp: bool = False,
    s3: bool = False,
) -> str:
    """A small valid spec with these options: a point of the dependency matrix."""
    return (
        "project: {name: Lock Variant}\n"
        f"auth: {{totp: {str(totp).lower()}}}\n"
        f"billing: {{provider: {provider}, plans: {_PLANS[provider]}}}\n"
        f"jobs: {'rq' if jobs else 'none'}\n"
        f"metrics: {str(metrics).lower()}\n"
        f"email: {'smtp' if smtp else 'console'}\n"
        f"storage: {'s3' if s3 else 'local'}\n"
        "entities: [{name: Note, fields: [{name: body, type: text}]}]\n"
    )


# Together these need every optional dependency of a generated project.
FULL = [variant_spec(p, jobs=True, metrics=True, totp=True, smtp=True, s3=True) for p in _PLANS]


def render_pyproject(spec_text: str) -> str:
    """The ``backend/pyproject.toml`` Day One generates for this spec."""
    spec = parse_spec(spec_text)
    env = make_environment(CompiledLoader(templates_dir()))
    template = env.get_template("project/backend/pyproject.toml.j2")
    return template.render(spec=spec, project=spec.project, version=__version__)


def _union(reqs: list[Requirement]) -> list[str]:
    return sorted({str(r) for r in reqs}, key=str.lower)


def inputs() -> tuple[list[str], list[str]]:
    """The requirement lines of the runtime lock and of the dev lock."""
    runtime: list[Requirement] = []
    test: list[Requirement] = []
    for spec in FULL:
        r, t = requirements(render_pyproject(spec))
        runtime += r
        test += t
    own = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    ours = [Requirement(r) for r in own["dependencies"] + own["optional-dependencies"]["test"]]
    return _union(runtime), _union(runtime + test + ours)


def problems() -> list[str]:
    """Where the locks and the ranges disagree: each variant's pyproject must be
    covered, and Day One's own ranges must admit the pins CI installs."""
    found: list[str] = []
    templates = templates_dir()
    for spec in FULL:
        try:
            project_locks(render_pyproject(spec), templates)
        except LockError as exc:
            found.append(exc.message)
    _, dev = master_locks(templates)
    pinned = {pin.name: pin.version for pin in dev}
    own = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for line in own["dependencies"] + own["optional-dependencies"]["test"]:
        req = Requirement(line)
        version = pinned.get(normalize(req.name))
        if version is None:
            found.append(f"templates/locks/{DEV_LOCK} does not pin {req} (pyproject.toml)")
        elif not req.specifier.contains(version, prereleases=True):
            found.append(
                f"pyproject.toml requires {req} but templates/locks/{DEV_LOCK} pins {version}"
            )
    return sorted(set(found))


def _uv() -> str:
    found = shutil.which("uv")
    if found is None:
        try:
            from uv import find_uv_bin  # type: ignore[import-not-found, unused-ignore]
        except ImportError:
            sys.exit('lock_deps: uv is not installed; run pip install -e ".[lock]" first')
        found = str(find_uv_bin())
    return found


def _compile(uv: str, work: Path, source: str, output: str, extra: list[str]) -> None:
    command = [
        uv,
        "pip",
        "compile",
        source,
        "--output-file",
        output,
        "--generate-hashes",
        "--universal",
        "--python-version",
        PYTHON,
        "--custom-compile-command",
        COMMAND,
        "--quiet",
        *extra,
    ]
    subprocess.run(command, cwd=work, check=True)


def refresh(upgrade: bool) -> None:
    runtime, dev = inputs()
    locks = templates_dir() / "locks"
    locks.mkdir(exist_ok=True)
    uv = _uv()
    with tempfile.TemporaryDirectory(prefix="dayone-lock-") as tmp:
        work = Path(tmp)
        (work / "runtime.in").write_text("\n".join(runtime) + "\n", encoding="utf-8")
        (work / "dev.in").write_text("\n".join(dev) + "\n", encoding="utf-8")
        for name in (RUNTIME_LOCK, DEV_LOCK):
            if (locks / name).exists():
                shutil.copy(locks / name, work / name)
        extra = ["--upgrade"] if upgrade else []
        _compile(uv, work, "runtime.in", RUNTIME_LOCK, extra)
        _compile(uv, work, "dev.in", DEV_LOCK, [*extra, "--constraint", RUNTIME_LOCK])
        for name in (RUNTIME_LOCK, DEV_LOCK):
            shutil.copy(work / name, locks / name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="only check; no network")
    parser.add_argument("--upgrade", action="store_true", help="newest allowed versions")
    args = parser.parse_args(argv)
    if not args.check:
        refresh(args.upgrade)
    found = problems()
    for problem in found:
        print(f"lock_deps: {problem}", file=sys.stderr)
    if found:
        print("lock_deps: widen the range or refresh the locks", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
