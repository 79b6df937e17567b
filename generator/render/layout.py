"""Which templates render, where to, and how many times.

Every file under ``templates/project/`` renders once, to the same relative
path with a trailing ``.j2`` removed, unless ``templates/layout.yaml`` says
otherwise. A file whose name does not end in ``.j2`` is copied byte for byte
(the web app's sources and its package-lock.json, whose braces are not Jinja):

* ``when``: path -> a Jinja expression over the render context; the file is
  rendered only when it is true (``spec.orgs.invitations``). A path ending in
  ``/`` is a folder: the condition holds for every file under it.
* a path segment holding ``__entity__`` renders once per entity, with
  ``__entity__`` replaced by the entity's module name (``contact``) and the
  entity bound to ``entity``; ``__entities__`` is replaced by its plural.
* ``executable``: paths written with mode 0755.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml
from jinja2 import Environment
from msgspec import Struct

from generator.paths import files_under
from generator.render.compiled import CompiledLoader
from generator.spec.loader import FAST_LOADER
from generator.spec.models import EntitySpec


class Target(Struct, frozen=True):
    """One file to render: template name, output path, extra context."""

    template: str
    path: str
    entity: EntitySpec | None = None
    pattern: str | None = None  # for per-entity files: the path with its placeholders
    verbatim: bool = False  # copied as it is, not rendered (no ``.j2`` suffix)

    def path_for(self, module: str, plural: str) -> str:
        """This per-entity target's path for another entity name (a rename's old path)."""
        assert self.pattern is not None
        return self.pattern.replace("__entities__", plural).replace("__entity__", module)


class Layout(Struct, frozen=True):
    when: dict[str, str]
    executable: frozenset[str]
    # Output paths that are one file in two places, by the spec (path -> path).
    relocated: dict[str, str]

    @classmethod
    def load(cls, templates: Path) -> Layout:
        text = (templates / "layout.yaml").read_text(encoding="utf-8")
        data = yaml.load(text, Loader=FAST_LOADER) or {}
        return cls(
            when=dict(data.get("when") or {}),
            executable=frozenset(data.get("executable") or ()),
            relocated=dict(data.get("relocated") or {}),
        )

    def moves(self, rendered: Iterable[str]) -> dict[str, str]:
        """old path -> new path for each relocated file the render now writes at
        its other place: the user's edits travel with it, as with a rename."""
        paths = set(rendered)
        pairs = [*self.relocated.items(), *((b, a) for a, b in self.relocated.items())]
        return {old: new for old, new in pairs if new in paths and old not in paths}

    def condition(self, rel: str) -> str | None:
        """The ``when`` condition of the template at ``rel``: its own, else its folder's."""
        own = self.when.get(rel)
        if own is not None:
            return own
        folders = [key for key in self.when if key.endswith("/") and rel.startswith(key)]
        return self.when[max(folders, key=len)] if folders else None

    def _verdicts(self, env: Environment, context: dict[str, object]) -> dict[str, bool]:
        """Each distinct ``when`` condition, evaluated. They are compiled together, as
        one template that sets a list: compiling costs far more than evaluating."""
        conditions = sorted(set(self.when.values()))
        source = f"{{% set values = [{', '.join(f'({c})' for c in conditions)}] %}}"
        loader = env.loader
        assert isinstance(loader, CompiledLoader)  # as make_environment builds it
        values = vars(loader.from_string(env, source).make_module(context))["values"]
        assert isinstance(values, list)
        return {condition: bool(value) for condition, value in zip(conditions, values, strict=True)}

    def targets(
        self, env: Environment, templates: Path, context: dict[str, object]
    ) -> Iterator[Target]:
        root = templates / "project"
        entities: list[EntitySpec] = context["entities"]  # type: ignore[assignment]
        verdicts = self._verdicts(env, context)
        for rel, _ in files_under(root):
            condition = self.condition(rel)
            if condition is not None and not verdicts[condition]:
                continue
            template = f"project/{rel}"
            out = rel.removesuffix(".j2")
            if "__entity__" in out or "__entities__" in out:
                for entity in entities:
                    path = out.replace("__entities__", entity.plural_name).replace(
                        "__entity__", entity.module
                    )
                    yield Target(template, path, entity, pattern=out)
            else:
                yield Target(template, out, verbatim=not rel.endswith(".j2"))
