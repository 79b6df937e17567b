"""Projects to deploy in tests, fake platform CLIs, and a way to run `dayone deploy`.

No platform (Docker engine, Fly.io, Render, Heroku) is reachable from the test
machine, so "running the platform's CLI" is tested with fakes: small Python
scripts named like the real CLIs, put on a PATH of their own, that append
their argv (and the variables the deploy sets) to a JSON-lines log and exit
with a chosen code. Everything else (validation, the commands, the record)
is the real code.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

PROJECT_ALL = """\
project: {name: "Ship It", slug: ship_it}
rbac: {roles: [lead, crew]}
deploy: [docker, fly, render, heroku]
entities:
  - name: Parcel
    fields: [{name: label, type: string, max_length: 80}]
"""
# The same with background jobs: every target gains a worker process.
PROJECT_JOBS = PROJECT_ALL.replace("deploy:", "jobs: rq\ndeploy:")
PROJECT_FLY = PROJECT_ALL.replace("[docker, fly, render, heroku]", "[fly]")
PROJECT_NONE = PROJECT_ALL.replace("deploy: [docker, fly, render, heroku]\n", "")

# The jobs feature (another area) generates app/worker.py. Until a project has
# it, tests that need a deployable jobs project put this module in its place.
WORKER_STAND_IN = '"""Stands in for the jobs feature\'s worker in deploy tests."""\n'

REAL_GIT = shutil.which("git")

_FAKE_CLI = """#!{python}
# A stand-in for the {name} CLI: no platform is reachable from the tests.
import json, os, sys
with open(os.environ["FAKE_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps({{"argv": sys.argv[1:], "program": {name!r},
                          "IMAGE_TAG": os.environ.get("IMAGE_TAG")}}) + "\\n")
if sys.argv[1:2] == ["apps:info"]:
    print(json.dumps({{"app": {{"web_url": "https://ship-it-4f2a.herokuapp.com/"}}}}))
sys.exit(int(os.environ.get("FAKE_EXIT_" + {name!r}.upper(), "0")))
"""

# git stays real for everything but `push`, which would reach Heroku.
_FAKE_GIT = """#!{python}
# git, except that `push` is recorded instead of reaching a remote.
import json, os, sys
if sys.argv[1:2] == ["push"]:
    with open(os.environ["FAKE_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps({{"argv": sys.argv[1:], "program": "git"}}) + "\\n")
    sys.exit(0)
os.execv({git!r}, [{git!r}, *sys.argv[1:]])
"""


def copy_project(source: Path, target: Path, *, worker: bool = False, git: bool = False) -> Path:
    """A private copy of a generated project (modes kept), optionally with the
    worker stand-in and as a git repository with one commit."""
    shutil.copytree(source, target, symlinks=True)
    worker_module = target / "backend" / "app" / "worker.py"
    if worker and not worker_module.exists():
        worker_module.write_text(WORKER_STAND_IN)
    if git:
        commit_all(target)
    return target


def commit_all(root: Path) -> str:
    assert REAL_GIT is not None, "these tests need git"
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
        "GIT_AUTHOR_DATE": "2020-01-01T00:00:00Z",
        "GIT_COMMITTER_DATE": "2020-01-01T00:00:00Z",
    }
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "deploy"]):
        subprocess.run([REAL_GIT, "-C", str(root), *args], env=env, check=True)
    return head_of(root)


def head_of(root: Path) -> str:
    assert REAL_GIT is not None, "these tests need git"
    head = subprocess.run(
        [REAL_GIT, "-C", str(root), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    )
    return head.stdout.strip()


class Platform:
    """A PATH holding fake platform CLIs (and git) and the log they write."""

    def __init__(self, root: Path) -> None:
        self.bin = root / "bin"
        self.bin.mkdir(parents=True)
        self.log = root / "calls.jsonl"
        self.env: dict[str, str] = {"FAKE_LOG": str(self.log)}
        if REAL_GIT is not None:
            self._script("git", _FAKE_GIT.format(python=sys.executable, git=REAL_GIT))

    def install(self, *names: str) -> Platform:
        for name in names:
            self._script(name, _FAKE_CLI.format(python=sys.executable, name=name))
        return self

    def fail(self, name: str, code: int) -> None:
        self.env[f"FAKE_EXIT_{name.upper()}"] = str(code)

    def _script(self, name: str, text: str) -> None:
        path = self.bin / name
        path.write_text(text)
        path.chmod(0o755)

    def calls(self) -> list[dict[str, object]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]


def dayone(
    *args: str, platform: Platform | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `dayone` with a PATH of only the fake CLIs (or nothing at all)."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DEPLOY_TARGET", "RENDER_", "HEROKU_", "FAKE_", "API_PORT"))
    }
    clean["PATH"] = str(platform.bin) if platform is not None else os.devnull
    clean["COLUMNS"] = "200"
    if platform is not None:
        clean.update(platform.env)
    clean.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "generator.cli", *args],
        capture_output=True,
        text=True,
        env=clean,
        timeout=300,
        check=False,
    )
