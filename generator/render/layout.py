"""Which templates render, where to, and how many times.

Every file under ``templates/project/`` renders once, to the same relative
path with a trailing ``.j2`` removed, unless ``templates/layout.yaml`` says
otherwise:

* ``when``: path -> a Jinja expression over the render context; the file is
  rendered only when it is true (``spec.orgs.invitations``).
* a path segment holding ``__entity__`` renders once per entity, with
  ``__entity__`` replaced by the entity's module name (``contact``) and the
  entity bound to ``entity``; ``__entities__`` is replaced by its plural.
* ``executable``: paths written with mode 0755.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from jinja2 import Environment

from generator.spec.models import EntitySpec


@dataclass(frozen=True)
class Target:
    """One file to render: template name, output path, extra context."""

    template: str
    path: str
    entity: EntitySpec | None = None
    pattern: str | None = None  # for per-entity files: the path with its placeholders

    def path_for(self, module: str, plural: str) -> str:
        """This per-entity target's path for another entity name (a rename's old path)."""
        assert self.pattern is not None
        return self.pattern.replace("__entities__", plural).replace("__entity__", module)


@dataclass(frozen=True)
class Layout:
    when: dict[str, str]
    executable: frozenset[str]

    @classmethod
    def load(cls, templates: Path) -> Layout:
        data = yaml.safe_load((templates / "layout.yaml").read_text(encoding="utf-8")) or {}
        return cls(
            when=dict(data.get("when") or {}),
            executable=frozenset(data.get("executable") or ()),
        )

    def targets(
        self, env: Environment, templates: Path, context: dict[str, object]
    ) -> Iterator[Target]:
        root = templates / "project"
        entities: list[EntitySpec] = context["entities"]  # type: ignore[assignment]
        for file in sorted(p for p in root.rglob("*") if p.is_file()):
            rel = file.relative_to(root).as_posix()
            if "__pycache__" in rel:
                continue
            condition = self.when.get(rel)
            if condition is not None and not env.compile_expression(condition)(**context):
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
                yield Target(template, out)
