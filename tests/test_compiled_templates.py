"""The cache of compiled templates: one file, the same render cold, warm or damaged."""

from __future__ import annotations

import marshal
import shutil
from pathlib import Path
from typing import Any

import jinja2
import pytest

import generator.paths
from generator.paths import examples_dir, templates_dir
from generator.render import CompiledLoader, Rendered, render
from generator.render.compiled import KEEP
from generator.render.formatting import PythonFormatter
from generator.spec import Spec, load_spec

FORMATTER = PythonFormatter()


@pytest.fixture(scope="module")
def acme() -> Spec:
    return load_spec(examples_dir() / "acme_crm.yaml")


@pytest.fixture(scope="module")
def reference(acme: Spec) -> Rendered:
    """The render without any cache of compiled templates."""
    return render(acme, formatter=FORMATTER)


def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates Jinja compiles from source from now on."""
    names: list[str] = []
    compile_source = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: Any, name: Any = None, *args: Any) -> Any:
        names.append(str(name))
        return compile_source(self, source, name, *args)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return names


def test_a_warm_cache_compiles_nothing_and_renders_the_same(
    tmp_path: Path, acme: Spec, reference: Rendered, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled = compiles(monkeypatch)
    cold = render(acme, formatter=FORMATTER, compiled=tmp_path)
    assert cold.files == reference.files
    assert len(compiled) > 100  # every template the spec uses, and the layout's conditions
    assert len(list(tmp_path.iterdir())) == 1  # one file holds them all

    compiled.clear()
    warm = render(acme, formatter=FORMATTER, compiled=tmp_path)
    assert warm.files == reference.files
    assert compiled == []


@pytest.mark.parametrize(
    "damage",
    [b"", b"not marshal data", marshal.dumps(["a list"]), marshal.dumps({"name": "not code"})],
    ids=["empty", "garbage", "not a dict", "not code"],
)
def test_a_damaged_cache_file_is_a_miss(
    tmp_path: Path, acme: Spec, reference: Rendered, damage: bytes
) -> None:
    render(acme, formatter=FORMATTER, compiled=tmp_path)
    (entry,) = tmp_path.iterdir()
    entry.write_bytes(damage)
    assert render(acme, formatter=FORMATTER, compiled=tmp_path).files == reference.files
    # and the file is whole again
    assert isinstance(marshal.loads(entry.read_bytes()), dict)


def test_an_edited_template_is_compiled_again(tmp_path: Path, acme: Spec) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(templates_dir(), templates)
    cache = tmp_path / "compiled"
    before = render(acme, formatter=FORMATTER, templates=templates, compiled=cache)
    readme = templates / "project" / "README.md.j2"
    readme.write_text(readme.read_text() + "One more line.\n")
    generator.paths.folder_digest.cache_clear()  # a new process would compute it afresh
    after = render(acme, formatter=FORMATTER, templates=templates, compiled=cache)
    assert after.files["README.md"] == before.files["README.md"] + b"One more line.\n"
    assert len(list(cache.iterdir())) == 2  # keyed by the templates: a new entry


def test_old_entries_are_pruned(tmp_path: Path) -> None:
    for i in range(10):
        (tmp_path / f"entry{i}").write_bytes(b"")
    loader = CompiledLoader(templates_dir(), tmp_path)
    environment = jinja2.Environment(loader=loader)
    loader.from_string(environment, "{{ 1 + 1 }}")
    loader.save()
    assert len(list(tmp_path.iterdir())) == KEEP


def test_without_a_cache_folder_it_compiles_from_source() -> None:
    loader = CompiledLoader(templates_dir())
    environment = jinja2.Environment(loader=loader)
    assert environment.get_template("project/.gitignore.j2").render()
    loader.save()  # nowhere to save to: not an error
