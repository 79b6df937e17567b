"""Where Day One came from (generator.provenance): read from installed metadata and
git, recorded in .dayone/requirements.txt, and kept apart from rendered files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator import __version__
from generator.apply.regenerate import Options
from generator.provenance import DISTRIBUTION, Source, detect
from generator.regenerate import Regeneration
from generator.state import REQUIREMENTS
from tests.conftest import write_project

REMOTE = "https://git.example.org/dayone/dayone.git"
SPEC = """\
project: {name: Pins, slug: pins}
rbac: {roles: [admin, member]}
entities:
  - name: Note
    fields: [{name: title, type: string, max_length: 80}]
"""


def _git(root: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "T",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "T",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    done = subprocess.run(
        ["git", "-C", str(root), *args], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A source tree of Day One in git with one commit and no remote."""
    root = tmp_path / "dayone"
    (root / "generator").mkdir(parents=True)
    (root / "generator" / "__init__.py").write_text('__version__ = "0.1.0"\n')
    (root / "pyproject.toml").write_text('[project]\nname = "dayone-saas"\n')
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "one")
    return root


def _pushed(root: Path, url: str = REMOTE) -> str:
    """Give the checkout a remote whose main branch holds HEAD (as after a push)."""
    _git(root, "remote", "add", "origin", url)
    _git(root, "update-ref", "refs/remotes/origin/main", "HEAD")
    return _git(root, "rev-parse", "HEAD")


def test_a_checkout_without_a_remote_is_unreproducible(checkout: Path) -> None:
    source = detect(checkout / "generator")
    assert source.kind == "unreproducible"
    assert source.requirement is None
    assert source.reason == "a git checkout with no remote"
    warning = source.warning()
    assert warning is not None and "pipx install dayone-saas" in warning


def test_a_pushed_clean_checkout_pins_its_commit(checkout: Path) -> None:
    commit = _pushed(checkout)
    source = detect(checkout / "generator")
    assert source == Source(kind="vcs", version=__version__, url=REMOTE, commit=commit)
    assert source.requirement == f"{DISTRIBUTION} @ git+{REMOTE}@{commit}"
    assert source.warning() is None


def test_credentials_and_scp_syntax_do_not_reach_the_pin(checkout: Path) -> None:
    _pushed(checkout, "https://someone:s3cret@git.example.org/dayone/dayone.git")
    assert detect(checkout / "generator").url == REMOTE
    _git(checkout, "remote", "set-url", "origin", "git@git.example.org:dayone/dayone.git")
    assert detect(checkout / "generator").url == "ssh://git@git.example.org/dayone/dayone.git"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("edit", "a git checkout with uncommitted changes"),
        ("unpushed", "is not on any remote branch"),
        ("local remote", "is a local path"),
    ],
)
def test_what_ci_cannot_clone_is_unreproducible(checkout: Path, change: str, reason: str) -> None:
    if change == "local remote":
        _pushed(checkout, str(checkout.parent / "elsewhere.git"))
    else:
        _pushed(checkout)
    if change == "edit":
        (checkout / "generator" / "__init__.py").write_text('__version__ = "0.1.1"\n')
    if change == "unpushed":
        (checkout / "generator" / "new.py").write_text("")
        _git(checkout, "add", "-A")
        _git(checkout, "commit", "-q", "-m", "two")
    source = detect(checkout / "generator")
    assert source.kind == "unreproducible"
    assert source.reason is not None and reason in source.reason
    assert b"UNPINNED" in source.to_bytes()


def test_the_same_source_gives_the_same_record(checkout: Path, tmp_path: Path) -> None:
    """No path, time or user in the record: another clone of the same commit records
    the same bytes."""
    _pushed(checkout)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(checkout), str(clone)], check=True)
    _git(clone, "remote", "set-url", "origin", REMOTE)
    assert detect(clone / "generator").to_bytes() == detect(checkout / "generator").to_bytes()


def _installed(site: Path, direct_url: dict[str, object] | None) -> Path:
    """A site folder holding an installed dayone-saas (metadata and the package)."""
    info = site / "dayone_saas-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: dayone-saas\nVersion: 0.1.0\n")
    if direct_url is not None:
        (info / "direct_url.json").write_text(json.dumps(direct_url))
    (site / "generator").mkdir()
    (site / "generator" / "__init__.py").write_text('__version__ = "0.1.0"\n')
    return site / "generator"


@pytest.mark.parametrize(
    ("direct_url", "expected"),
    [
        (None, "dayone-saas==0.1.0"),
        (
            {
                "url": "git+https://tok@git.example.org/dayone/dayone.git",
                "vcs_info": {"vcs": "git", "commit_id": "a" * 40},
            },
            f"dayone-saas @ git+{REMOTE}@{'a' * 40}",
        ),
        ({"url": "file:///tmp/dayone_saas-0.1.0-py3-none-any.whl", "archive_info": {}}, None),
        ({"url": "file:///tmp/dayone", "dir_info": {}}, None),
    ],
    ids=["index", "git", "local wheel", "local folder"],
)
def test_an_installed_copy_is_told_apart_by_pep_610(
    tmp_path: Path,
    direct_url: dict[str, object] | None,
    expected: str | None,
) -> None:
    package = _installed(tmp_path / "site", direct_url)
    assert detect(package).requirement == expected


def test_apply_records_the_pin_and_check_ignores_it(tmp_path: Path) -> None:
    root = write_project(SPEC, tmp_path / "pins")
    assert not (root / REQUIREMENTS).exists()
    release = Source(kind="release", version=__version__)
    Regeneration(root, source=release).write_plan()
    regeneration, stored = Regeneration.from_plan_file(root, source=release)
    report = regeneration.apply(stored, Options())
    assert not report.refused
    assert (root / REQUIREMENTS).read_text().splitlines()[-1] == f"dayone-saas=={__version__}"
    # Another install kind of the same version: nothing to change.
    other = Source(kind="vcs", version=__version__, url=REMOTE, commit="b" * 40)
    assert not Regeneration(root, source=other).plan.changes


def test_new_from_an_unpublished_checkout_warns_and_pins_nothing(tmp_path: Path) -> None:
    """This test runs from a source tree (PYTHONPATH), which CI cannot install again
    unless it is a pushed git checkout."""
    spec = tmp_path / "pins.yaml"
    spec.write_text(SPEC)
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "generator.cli", "new", str(spec), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    record = (out / REQUIREMENTS).read_text()
    expected = detect()
    assert record == expected.to_bytes().decode()
    if expected.kind == "unreproducible":
        assert "warning: this Day One cannot be installed again" in result.stderr
        assert "UNPINNED" in record
    else:
        assert result.stderr == ""
