"""The render cache: `apply` reuses the render its `plan` made, and nothing else.

A hit must be exactly as good as rendering again, so every input of a render
changes the key, and a damaged entry is a miss, never an error.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import generator.paths
import generator.render
from generator.paths import cache_root, templates_dir
from generator.regenerate import Regeneration
from generator.tree import KEEP, Tree, TreeCache, render_key
from tests.regen.support import MODEL, Demo

NEW_FIELD = "      - {name: done, type: boolean, default: false}\n"
WITH_NOTE = NEW_FIELD + "      - {name: note, type: text, required: false}\n"


@pytest.fixture
def demo(tmp_path: Path) -> Demo:
    return Demo.create(tmp_path / "demo")


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of this test's own, so that counts and hits are its own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = cache_root()
    assert root is not None
    return root / "renders"


def _forbid_rendering(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("rendered although the render of these inputs was cached")

    monkeypatch.setattr(generator.render, "render_cached", fail)


def test_apply_reuses_the_render_of_its_plan(
    demo: Demo, own_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo.spec(NEW_FIELD, WITH_NOTE)
    demo.append(MODEL, "# mine\n")
    planned = demo.plan().plan
    assert len(list(own_cache.iterdir())) == 1
    _forbid_rendering(monkeypatch)
    report = demo.apply()
    assert report.exit_code == 0
    assert {a.path for a in report.applied} == {a.path for a in planned.changes}
    assert "# mine" in demo.read(MODEL) and "note" in demo.read(MODEL)
    monkeypatch.undo()  # the applied project is a new input: planning it renders
    assert demo.actions() == {MODEL: "keep"}


def test_a_cached_render_equals_a_fresh_one(demo: Demo, own_cache: Path) -> None:
    demo.spec(NEW_FIELD, WITH_NOTE)
    fresh = Regeneration(demo.root).rendered
    cached = Regeneration(demo.root).rendered
    assert cached == fresh
    assert cached.new_migration is not None and cached.new_migration in cached.files


def test_every_input_of_a_render_changes_the_key(demo: Demo, tmp_path: Path) -> None:
    spec, schema = b"project: {name: A}\n", b'{"format": 2}\n'
    disk = {"backend/alembic/versions/0001_initial.py": b"revision = '0001'\n"}
    recorded = dict(disk)
    base = render_key(spec, schema, disk, recorded)
    assert render_key(spec, schema, dict(disk), dict(recorded)) == base
    variants = [
        render_key(spec + b"#\n", schema, disk, recorded),
        render_key(spec, schema + b" ", disk, recorded),
        render_key(spec, schema, {**disk, "backend/alembic/versions/0002_x.py": b""}, recorded),
        render_key(spec, schema, disk, {}),
        # the same bytes on disk but not in the baseline is a different input
        render_key(spec, schema, {}, recorded),
    ]
    assert len({base, *variants}) == len(variants) + 1


def test_a_template_change_is_a_new_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.tree

    args: tuple[bytes, bytes, dict[str, bytes], dict[str, bytes]] = (b"s", b"{}", {}, {})
    before = render_key(*args)
    copy = tmp_path / "templates"
    shutil.copytree(templates_dir(), copy)
    monkeypatch.setattr(generator.tree, "templates_dir", lambda: copy)
    assert render_key(*args) == before  # same content, same key
    readme = copy / "project" / "README.md.j2"
    readme.write_text(readme.read_text() + "\none more line\n")
    generator.paths.folder_digest.cache_clear()
    assert render_key(*args) != before


@pytest.mark.parametrize(
    "damage",
    [b"", b"not marshal at all", b"\x00" * 40, "truncated"],
    ids=["empty", "garbage", "zeros", "truncated"],
)
def test_a_damaged_entry_is_a_miss(demo: Demo, own_cache: Path, damage: bytes | str) -> None:
    demo.spec(NEW_FIELD, WITH_NOTE)
    expected = Regeneration(demo.root).rendered
    (entry,) = own_cache.iterdir()
    data = entry.read_bytes()
    entry.write_bytes(data[: len(data) // 2] if damage == "truncated" else damage)  # type: ignore[arg-type]
    assert Regeneration(demo.root).rendered == expected
    assert Tree.from_bytes(entry.read_bytes()) == expected  # and the entry is mended


def test_entries_of_another_shape_are_refused() -> None:
    import marshal

    good = Tree({"a": b"x"}, frozenset(), {}, None, False, (), b"{}")
    assert Tree.from_bytes(good.to_bytes()) == good
    fields = list(marshal.loads(good.to_bytes()))
    for index, wrong in [(0, 99), (1, {"a": "not bytes"}), (2, ["a", 3]), (5, "yes")]:
        changed = list(fields)
        changed[index] = wrong
        assert Tree.from_bytes(marshal.dumps(tuple(changed))) is None


def test_without_a_cache_nothing_is_kept(
    demo: Demo, own_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAYONE_NO_CACHE", "1")
    demo.spec(NEW_FIELD, WITH_NOTE)
    demo.plan()
    assert not own_cache.exists()
    assert demo.apply().exit_code == 0


def test_the_cache_keeps_the_newest_entries(tmp_path: Path) -> None:
    cache = TreeCache(tmp_path / "renders")
    tree = Tree({}, frozenset(), {}, None, False, (), b"{}")
    for n in range(KEEP + 5):
        cache.put(f"{n:04d}", tree)
        os.utime(cache.root / f"{n:04d}", (n, n))  # distinct ages, oldest first
    kept = sorted(p.name for p in cache.root.iterdir())
    assert len(kept) == KEEP
    assert kept[-1] == f"{KEEP + 4:04d}"


def test_an_unwritable_cache_is_not_an_error(demo: Demo, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    env = {**os.environ, "XDG_CACHE_HOME": str(blocker)}
    for command in (["plan"], ["apply", "--apply"]):
        result = subprocess.run(
            [sys.executable, "-m", "generator.cli", *command, str(demo.root)],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert result.returncode == 0, result.stderr


def test_applying_a_planned_change_loads_no_rendering_machinery(
    demo: Demo, own_cache: Path
) -> None:
    """The point of the cache: `apply` after `plan` starts quickly because it never
    loads Jinja, libcst or the spec models, nor runs ruff; nor, piped, rich, nor (with
    Typer before 0.29) pydantic or installed packages' metadata, which each cost a
    measurable part of a run."""
    demo.spec(NEW_FIELD, WITH_NOTE)
    demo.plan()
    probe = (
        "import sys\n"
        "from generator.cli import main\n"
        f"sys.argv = ['dayone', 'apply', {str(demo.root)!r}, '--apply']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
        "heavy = {'jinja2', 'libcst', 'generator.spec', 'generator.render',\n"
        "         'pydantic', 'rich', 'importlib.metadata'}\n"
        # Typer 0.29 parses every argument with pydantic (which imports
        # importlib.metadata): Typer's cost, measured in docs/benchmarks.md.
        "import importlib.util\n"
        "if importlib.util.find_spec('typer._adapters') is not None:\n"
        "    heavy -= {'pydantic', 'importlib.metadata'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
    assert "note" in demo.read("backend/app/models/ticket.py")


def test_the_key_reads_the_formatters_version_without_package_metadata() -> None:
    from importlib.metadata import version

    from generator.toolchain import formatter_version

    assert formatter_version() == version("ruff")


def test_compiled_bytecode_is_not_an_input(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("x = 1\n")
    before = generator.paths.folder_digest(tmp_path, ".py")
    (tmp_path / "pkg" / "__pycache__").mkdir()
    (tmp_path / "pkg" / "__pycache__" / "b.py").write_text("not code\n")
    (tmp_path / "pkg" / "notes.txt").write_text("not code either\n")
    generator.paths.folder_digest.cache_clear()
    assert generator.paths.folder_digest(tmp_path, ".py") == before
    (tmp_path / "pkg" / "a.py").write_text("x = 2\n")
    generator.paths.folder_digest.cache_clear()
    assert generator.paths.folder_digest(tmp_path, ".py") != before
