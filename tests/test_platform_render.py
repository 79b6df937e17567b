"""Rendering of the platform features: metrics appear exactly when the spec
asks for them, and the always-on parts (API keys, audit log, logs, health)
are in every project."""

from __future__ import annotations

from generator.paths import examples_dir
from generator.render import render
from generator.spec import load_spec

METRICS_FILES = {
    "backend/app/core/metrics.py",
    "backend/app/api/routes/metrics.py",
    "backend/tests/test_metrics.py",
}
ALWAYS = {
    "backend/app/core/logs.py",
    "backend/app/core/middleware.py",
    "backend/app/core/health.py",
    "backend/app/models/api_key.py",
    "backend/app/models/audit_event.py",
    "backend/app/services/audit.py",
    "backend/gunicorn.conf.py",
}


def _files(example: str) -> dict[str, str]:
    rendered = render(load_spec(examples_dir() / example))
    return {path: data.decode() for path, data in rendered.files.items()}


def test_metrics_on() -> None:
    files = _files("acme_crm.yaml")
    assert files.keys() >= METRICS_FILES | ALWAYS
    assert "prometheus-client" in files["backend/pyproject.toml"]
    assert "child_exit" in files["backend/gunicorn.conf.py"]
    assert "METRICS_TOKEN" in files["backend/.env.example"]


def test_metrics_off_leaves_no_trace() -> None:
    files = _files("clinic.yaml")
    assert files.keys() >= ALWAYS
    assert not METRICS_FILES & files.keys()
    for path, text in files.items():
        lowered = text.lower()
        assert "prometheus" not in lowered, path
        assert "metrics_token" not in lowered, path


def test_platform_tables_are_in_the_schema_and_the_migration() -> None:
    rendered = render(load_spec(examples_dir() / "clinic.yaml"))
    tables = {t.name for t in rendered.schema.tables}
    assert {"api_keys", "audit_events"} <= tables
    audit = rendered.schema.table("audit_events")
    assert audit is not None
    assert audit.column("updated_at") is None  # append-only: never updated
    (migration,) = [p for p in rendered.files if p.startswith("backend/alembic/versions/")]
    text = rendered.files[migration].decode()
    assert '"api_keys"' in text and '"audit_events"' in text
