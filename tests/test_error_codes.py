"""docs/generated/api-contract.md lists every error code of the generated
project, with its status, exactly as app/core/errors.py defines them.

errors.py is rendered with every optional feature on and run as a module, so
the codes of every spec are compared in one go (the generated project's own
tests/test_problems.py checks that its codes are unique and explained)."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

from jinja2 import Environment, StrictUndefined

ROOT = Path(__file__).resolve().parents[1]
ERRORS = ROOT / "templates/project/backend/app/core/errors.py.j2"
CONTRACT = ROOT / "docs/generated/api-contract.md"
ROW = re.compile(r"^\| `(?P<code>[a-z_.]+)` \| (?P<status>\d{3}) \|", re.MULTILINE)


def _every_feature() -> SimpleNamespace:
    return SimpleNamespace(
        auth=SimpleNamespace(cookie_mode=True, totp=True),
        orgs=SimpleNamespace(invitations=True),
        jobs="rq",
        billing=SimpleNamespace(has_plans=True, enabled=True),
    )


def defined_codes() -> dict[str, int]:
    """Code -> status of every problem type errors.py can define."""
    source = (
        Environment(undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        .from_string(ERRORS.read_text())
        .render(spec=_every_feature())
    )
    module = ModuleType("generated_errors")
    exec(compile(source, str(ERRORS), "exec"), module.__dict__)
    kinds: list[Any] = module.problem_types()
    return {kind.code: kind.status_code for kind in kinds}


def documented_codes() -> dict[str, int]:
    rows = ROW.findall(CONTRACT.read_text())
    codes = [code for code, _ in rows]
    assert len(codes) == len(set(codes)), "a code is listed twice"
    return {code: int(status) for code, status in rows}


def test_the_contract_lists_every_code_with_its_status() -> None:
    defined, documented = defined_codes(), documented_codes()
    assert sorted(defined) == sorted(documented), (
        f"not documented: {sorted(set(defined) - set(documented))}; "
        f"documented but not defined: {sorted(set(documented) - set(defined))}"
    )
    assert defined == documented
