"""The spec: pydantic models of ``dayone.yaml``, loading, and every validation rule."""

from generator.spec.checks import spec_warnings
from generator.spec.loader import load_spec, parse_spec
from generator.spec.models import EntitySpec, FieldSpec, PlanSpec, Spec
from generator.spec.problems import SpecError, SpecProblem

__all__ = [
    "EntitySpec",
    "FieldSpec",
    "PlanSpec",
    "Spec",
    "SpecError",
    "SpecProblem",
    "load_spec",
    "parse_spec",
    "spec_warnings",
]
