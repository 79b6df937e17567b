"""Every spec the strategy draws is valid: the validator refusing one is a bug of
the strategy or of the validator (cheap, in-process; no project is generated)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from generator.spec import parse_spec
from tests.spec_fuzz.strategies import Spec, specs, to_yaml


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs())
def test_drawn_specs_are_valid(spec: Spec) -> None:
    parsed = parse_spec(to_yaml(spec))
    assert parsed.project.name == spec["project"]["name"]
    assert [e.name for e in parsed.entities] == [e["name"] for e in spec["entities"]]
