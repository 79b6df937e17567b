"""Where the running Day One came from, so a project's CI can install exactly it.

Three answers (``Source.kind``):

* ``release``: a distribution installed by name from a package index
  (``pip install dayone-saas==0.1.0``, ``pipx install dayone-saas``). Pinned as
  ``dayone-saas==<version>``.
* ``vcs``: a git checkout (run from the source tree, or installed from it
  editable, or ``pip install git+URL@COMMIT``) whose commit is on a remote, with
  no local change to the code. Pinned as ``dayone-saas @ git+<url>@<commit>``.
* ``unreproducible``: anything a CI runner cannot install again: a checkout
  without a remote, with uncommitted changes or an unpushed commit, a wheel or
  folder installed from a local path. ``reason`` names the problem and ``fix``
  the way out.

``detect()`` reads the installed ``.dist-info`` (PEP 610's ``direct_url.json`` tells an
index install from a direct URL one) and asks git; it is called at the command
line's edge and passed on as data. Nothing machine-specific is kept (no local
path, no user name or token from a remote URL), so the same Day One source gives
the same record on every machine.

The record is ``.dayone/requirements.txt``: a pip requirements file whose
comments say what it is and whose one requirement is the pin, read by the
generated CI (``pip install -r .dayone/requirements.txt``). Rendered files never
depend on it: the same spec and version render byte-identical files however Day
One was installed, and ``dayone check`` compares only those.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from msgspec import Struct

from generator import __version__

# The name Day One is published under on PyPI (the command stays `dayone`).
DISTRIBUTION = "dayone-saas"
# What makes the package: a change to any of these changes what Day One generates.
_SOURCE_PATHS = ("generator", "templates", "examples", "tools", "pyproject.toml")

Kind = Literal["release", "vcs", "unreproducible"]


class Source(Struct, frozen=True):
    kind: Kind
    version: str
    url: str | None = None  # vcs: the remote, without credentials
    commit: str | None = None  # vcs: the full commit hash
    reason: str | None = None  # unreproducible: what cannot be installed again
    fix: str | None = None  # unreproducible: how to make it reproducible

    @property
    def requirement(self) -> str | None:
        """The pip requirement that installs exactly this Day One; None when none does."""
        if self.kind == "release":
            return f"{DISTRIBUTION}=={self.version}"
        if self.kind == "vcs":
            return f"{DISTRIBUTION} @ git+{self.url}@{self.commit}"
        return None

    def describe(self) -> str:
        if self.kind == "release":
            return f"the released distribution {DISTRIBUTION} {self.version}"
        if self.kind == "vcs":
            return f"Day One {self.version} from git {self.url} at commit {self.commit}"
        return f"Day One {self.version} from {self.reason}"

    def warning(self) -> str | None:
        """What ``dayone new`` and ``dayone plan`` print when CI cannot install this."""
        if self.kind != "unreproducible":
            return None
        return (
            f"this Day One cannot be installed again by the project's CI: it runs from "
            f"{self.reason}, so .dayone/requirements.txt pins nothing and the CI step "
            f"'In sync with dayone.yaml' will fail until it does. {self.fix}"
        )

    def to_bytes(self) -> bytes:
        """``.dayone/requirements.txt``."""
        lines = [
            "# The Day One that last generated this project, pinned for CI",
            "# (`pip install -r .dayone/requirements.txt`). Written by `dayone new` and",
            "# `dayone apply`; see Day One's docs/provenance.md.",
            f"# Source: {self.describe()}.",
        ]
        requirement = self.requirement
        if requirement is None:
            lines += [
                "#",
                "# UNPINNED: CI cannot install this Day One again.",
                f"# Problem: it ran from {self.reason}.",
                f"# Fix: {self.fix}",
                "# Then run `dayone plan` and `dayone apply --apply` to record the pin here.",
            ]
        else:
            lines.append(requirement)
        return ("\n".join(lines) + "\n").encode("utf-8")


_FIX_CHECKOUT = (
    "Install a released Day One (`pipx install dayone-saas`), or commit and push the "
    "checkout to a remote CI can clone."
)
_FIX_LOCAL = (
    "Install Day One from the package index (`pipx install dayone-saas`) or from git "
    "(`pip install 'dayone-saas @ git+<url>@<commit>'`)."
)


def unreproducible(reason: str, fix: str) -> Source:
    return Source(kind="unreproducible", version=__version__, reason=reason, fix=fix)


def detect(package: Path | None = None) -> Source:
    """The source of the Day One whose ``generator`` package is at ``package``
    (default: the one running)."""
    package = (package or Path(__file__).parent).resolve()
    info = _dist_info(package)
    if info is None:  # a source tree (editable install, PYTHONPATH, `python -m generator`)
        return _checkout(package.parent)
    version = _metadata_version(info) or __version__
    direct = _direct_url(info)
    if direct is None:
        return Source(kind="release", version=version)
    url = str(direct.get("url", ""))
    if "vcs_info" in direct:
        vcs = direct["vcs_info"]
        commit = str(vcs.get("commit_id", ""))
        if vcs.get("vcs") != "git" or not _is_commit(commit):
            return unreproducible(f"a {vcs.get('vcs')} install without a commit", _FIX_LOCAL)
        remote = _clean_remote(url.removeprefix("git+"))
        if remote is None:
            return unreproducible("a git install from a local repository", _FIX_LOCAL)
        return Source(kind="vcs", version=version, url=remote, commit=commit)
    if "archive_info" in direct:
        return unreproducible("a wheel or archive installed from a file", _FIX_LOCAL)
    return unreproducible("a copy installed from a local folder", _FIX_LOCAL)


def _dist_info(package: Path) -> Path | None:
    """The ``.dist-info`` folder of an installed (not editable) Day One: beside its
    ``generator`` package in site-packages. Read directly rather than through
    ``importlib.metadata``, which every command would pay for at start-up."""
    stem = DISTRIBUTION.replace("-", "_")
    found = sorted(package.parent.glob(f"{stem}-*.dist-info"))
    return found[0] if found else None


def _metadata_version(info: Path) -> str | None:
    try:
        text = (info / "METADATA").read_text(encoding="utf-8")
    except OSError:
        return None
    match = re.search(r"^Version: *(\S+)", text, re.MULTILINE)
    return match.group(1) if match else None


def _direct_url(info: Path) -> dict[str, Any] | None:
    """PEP 610's record of a direct-URL install; None for an install from an index."""
    try:
        data = json.loads((info / "direct_url.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _is_commit(text: str) -> bool:
    return re.fullmatch(r"[0-9a-f]{40}([0-9a-f]{24})?", text) is not None


def _clean_remote(url: str) -> str | None:
    """``url`` as pip's ``git+`` takes it, without credentials; None for a remote a CI
    runner cannot reach (a local path)."""
    scp = re.fullmatch(r"(?:[^@/]+@)?([^:/]+):(?!//)(.+)", url)
    if scp:  # git@github.com:owner/repo.git
        return f"ssh://git@{scp.group(1)}/{scp.group(2)}"
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http", "ssh", "git") or not parts.hostname:
        return None
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    user = "git@" if parts.scheme == "ssh" and parts.username else ""
    return urlunsplit((parts.scheme, user + host, parts.path, "", ""))


def git_output(root: Path, *args: str) -> str | None:
    """What ``git -C root args`` prints, stripped; ``None`` when git fails or is missing."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _checkout(root: Path) -> Source:
    """A source tree at ``root``: reproducible when git has it committed and pushed."""
    if git_output(root, "rev-parse", "--show-toplevel") is None:
        return unreproducible("a source tree that is not a git checkout", _FIX_CHECKOUT)
    commit = git_output(root, "rev-parse", "HEAD")
    if commit is None or not _is_commit(commit):
        return unreproducible("a git checkout without a commit", _FIX_CHECKOUT)
    remotes = (git_output(root, "remote") or "").split()
    if not remotes:
        return unreproducible("a git checkout with no remote", _FIX_CHECKOUT)
    remote = "origin" if "origin" in remotes else remotes[0]
    url = _clean_remote(git_output(root, "remote", "get-url", remote) or "")
    if url is None:
        return unreproducible(
            f"a git checkout whose remote {remote!r} is a local path", _FIX_CHECKOUT
        )
    changed = git_output(root, "status", "--porcelain", "--", *_SOURCE_PATHS)
    if changed is None or changed:
        return unreproducible(
            "a git checkout with uncommitted changes",
            "Commit and push them (or stash them), then run the command again.",
        )
    if not git_output(root, "branch", "--remotes", "--contains", commit):
        return unreproducible(
            f"a git checkout whose commit {commit[:12]} is not on any remote branch",
            f"Push it (`git push {remote}`), then run the command again.",
        )
    return Source(kind="vcs", version=__version__, url=url, commit=commit)
