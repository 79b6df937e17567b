"""Entity names that would collide with the API-key, audit-log, health and
metrics code of the generated project are refused with a clear message."""

from __future__ import annotations

import pytest

from generator.spec import SpecError, parse_spec

SPEC = """
project: {{name: Names}}
metrics: true
entities:
  - name: {name}
{plural}    fields: [{{name: title, type: string}}]
"""


def _problems(name: str, plural: str | None = None) -> list[str]:
    text = SPEC.format(name=name, plural=f"    plural: {plural}\n" if plural else "")
    with pytest.raises(SpecError) as raised:
        parse_spec(text)
    return [p.message for p in raised.value.problems]


@pytest.mark.parametrize(
    "name", ["ApiKey", "AuditEvent", "Limit", "Offset", "Cursor", "DecimalText"]
)
def test_names_the_generated_modules_use_are_refused(name: str) -> None:
    assert any("built-in model" in m for m in _problems(name))


@pytest.mark.parametrize(
    ("name", "plural", "message"),
    [
        ("Metric", None, "app/api/routes/metrics.py"),
        ("Healthcheck", "health", "app/api/routes/health.py"),
        ("Auditor", "audit", "app/api/routes/audit.py"),
        ("Token", "api_keys", "the table 'api_keys'"),
        ("Record", "audit_events", "the table 'audit_events'"),
    ],
)
def test_plurals_that_collide_are_refused(name: str, plural: str | None, message: str) -> None:
    assert any(message in m for m in _problems(name, plural))


def test_a_module_that_collides_is_refused() -> None:
    assert any("the module 'audit'" in m for m in _problems("Audit"))


def test_similar_names_are_fine() -> None:
    spec = parse_spec(SPEC.format(name="Auditor", plural=""))
    assert spec.entities[0].plural_name == "auditors"
