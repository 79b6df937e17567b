"""`dayone new`: writes the whole project and its baseline, or nothing at all."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator import __version__
from generator.apply.fresh import TargetNotEmptyError, create_project
from generator.errors import UnsafePathError
from generator.paths import examples_dir

ACME = examples_dir() / "acme_crm.yaml"


def dayone(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_new_writes_project_spec_and_baseline(tmp_path: Path) -> None:
    out = tmp_path / "crm"
    result = dayone("new", str(ACME), "--out", str(out))
    assert result.returncode == 0, result.stderr
    files = tree(out)
    assert files["dayone.yaml"] == ACME.read_bytes()
    manifest = json.loads(files[".dayone/manifest.json"])
    assert manifest["generator"] == {"name": "dayone", "version": __version__}
    assert manifest["spec_sha256"] == hashlib.sha256(ACME.read_bytes()).hexdigest()
    generated = {p for p in files if not p.startswith(".dayone/") and p != "dayone.yaml"}
    assert set(manifest["files"]) == generated
    for path, digest in manifest["files"].items():
        assert hashlib.sha256(files[path]).hexdigest() == digest
        assert files[f".dayone/baseline/{path}"] == files[path]
    assert json.loads(files[".dayone/schema.json"])["tables"]


def test_new_twice_gives_identical_trees(tmp_path: Path) -> None:
    for name in ("one", "two"):
        assert dayone("new", str(ACME), "--out", str(tmp_path / name)).returncode == 0
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_default_output_folder(tmp_path: Path) -> None:
    result = dayone("new", str(ACME), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "production_projects/acme_crm/backend/app/main.py").is_file()


def test_new_accepts_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert dayone("new", str(ACME), "--out", str(tmp_path / "empty")).returncode == 0


def test_new_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    out = tmp_path / "busy"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    result = dayone("new", str(ACME), "--out", str(out))
    assert result.returncode == 2
    assert "not empty" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree(out) == {"notes.txt": b"mine"}


def test_bad_spec_writes_nothing(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text("project: {name: X}\nentities: [{name: lower, fields: []}]\n")
    result = dayone("new", str(spec), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "entities[0].name" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_missing_spec_is_a_clear_error(tmp_path: Path) -> None:
    result = dayone("new", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "no spec file" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_failure_midway_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    real_chmod = os.chmod

    def failing_chmod(path: object, mode: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OSError(28, "No space left on device")
        real_chmod(path, mode)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "chmod", failing_chmod)
    files = {f"dir/file{i}.txt": b"x" for i in range(5)}
    with pytest.raises(OSError):
        create_project(tmp_path / "out", files)
    assert list(tmp_path.iterdir()) == []


def test_unsafe_paths_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsafePathError):
        create_project(tmp_path / "out", {"../escape.txt": b"x"})
    assert list(tmp_path.iterdir()) == []


def test_a_file_at_the_target_is_refused(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("a file")
    with pytest.raises(TargetNotEmptyError):
        create_project(tmp_path / "out", {"a.txt": b"x"})
