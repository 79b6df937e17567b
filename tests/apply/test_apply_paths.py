"""Path safety: nothing a plan names may leave the project or pass through a symlink."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from generator.apply.paths import check_relative, safe_target
from generator.errors import UnsafePathError


@pytest.mark.parametrize(
    ("rel", "why"),
    [
        ("", "empty"),
        ("/etc/passwd", "absolute"),
        ("C:\\Windows\\x", "absolute"),
        ("C:/Windows/x", "absolute"),
        ("\\\\server\\share", "absolute"),
        ("..", "'..'"),
        ("../x", "'..'"),
        ("a/../../x", "'..'"),
        ("a/..", "'..'"),
        ("a\\b", "backslash"),
        ("a\0b", "NUL"),
        (".", "'.'"),
        ("./a", "'.'"),
        ("a/./b", "'.'"),
        ("a/", "folder"),
    ],
)
def test_check_relative_refuses(rel: str, why: str) -> None:
    with pytest.raises(UnsafePathError) as raised:
        check_relative(rel)
    assert repr(rel) in raised.value.message
    assert why in raised.value.message


@pytest.mark.parametrize(
    ("rel", "normalised"),
    [
        ("a", "a"),
        ("app/main.py", "app/main.py"),
        ("a//b///c", "a/b/c"),
        (".env", ".env"),
        ("a/..b/c..", "a/..b/c.."),
    ],
)
def test_check_relative_accepts_and_normalises(rel: str, normalised: str) -> None:
    assert check_relative(rel) == normalised


def test_safe_target_resolves_inside_root(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    assert safe_target(tmp_path, "app//new/deep.py") == tmp_path.resolve() / "app/new/deep.py"


def test_safe_target_runs_the_textual_checks(tmp_path: Path) -> None:
    with pytest.raises(UnsafePathError, match=re.escape("'..'")):
        safe_target(tmp_path, "../outside")


def test_safe_target_refuses_a_symlinked_file_pointing_outside(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (tmp_path / "secret").write_text("x")
    (root / "config.py").symlink_to(tmp_path / "secret")
    with pytest.raises(UnsafePathError, match=re.escape("'config.py' is a symlink")):
        safe_target(root, "config.py")


def test_safe_target_refuses_a_symlinked_folder_pointing_outside(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (tmp_path / "elsewhere").mkdir()
    (root / "app").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(UnsafePathError, match="'app' is a symlink"):
        safe_target(root, "app/main.py")
    with pytest.raises(UnsafePathError, match="'app' is a symlink"):
        safe_target(root, "app/does/not/exist.py")


def test_safe_target_refuses_symlinks_pointing_inside_the_project(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real/file.py").write_text("x")
    (tmp_path / "alias.py").symlink_to(tmp_path / "real/file.py")
    (tmp_path / "alias").symlink_to("real", target_is_directory=True)
    with pytest.raises(UnsafePathError, match=re.escape("'alias.py' is a symlink")):
        safe_target(tmp_path, "alias.py")
    with pytest.raises(UnsafePathError, match="'alias' is a symlink"):
        safe_target(tmp_path, "alias/file.py")


def test_safe_target_refuses_a_dangling_symlink(tmp_path: Path) -> None:
    os.symlink(tmp_path / "nowhere", tmp_path / "ghost.py")
    with pytest.raises(UnsafePathError, match="symlink"):
        safe_target(tmp_path, "ghost.py")


def test_safe_target_allows_a_root_reached_through_a_symlink(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    assert safe_target(tmp_path / "link", "a.py") == (tmp_path / "real/a.py").resolve()
