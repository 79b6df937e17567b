"""The files feature: always generated; the spec's ``storage`` key only picks
the default backend, which settings can still change."""

from __future__ import annotations

from functools import cache

from generator.render import render_cached
from generator.schema import build_schema
from generator.spec import parse_spec

SPEC = "project: {{name: Files}}\nstorage: {storage}\n"
FEATURE_FILES = (
    "backend/app/api/routes/files.py",
    "backend/app/api/uploads.py",
    "backend/app/core/file_safety.py",
    "backend/app/models/stored_file.py",
    "backend/app/schemas/stored_file.py",
    "backend/app/services/files.py",
    "backend/app/storage/__init__.py",
    "backend/app/storage/local.py",
    "backend/app/storage/s3.py",
    "backend/tests/test_files.py",
    "backend/tests/test_files_s3.py",
    "backend/tests/test_storage.py",
)


@cache
def _files(storage: str) -> dict[str, bytes]:
    return render_cached(parse_spec(SPEC.format(storage=storage))).files


def test_both_backends_are_generated_whatever_the_spec_says() -> None:
    for storage in ("local", "s3"):
        missing = [path for path in FEATURE_FILES if path not in _files(storage)]
        assert missing == [], storage


def test_the_storage_key_only_changes_the_default_backend() -> None:
    local, s3 = _files("local"), _files("s3")
    changed = {path for path in local.keys() | s3.keys() if local.get(path) != s3.get(path)}
    assert changed == {"README.md", "backend/.env.example", "backend/app/core/config.py"}
    config = s3["backend/app/core/config.py"].decode()
    assert 'storage_backend: Literal["local", "s3"] = "s3"' in config
    assert "STORAGE_BACKEND=s3\n" in s3["backend/.env.example"].decode()
    assert "STORAGE_BACKEND=local\n" in local["backend/.env.example"].decode()


def test_local_uploads_are_ignored_by_git() -> None:
    ignored = _files("local")[".gitignore"].decode().splitlines()
    assert "backend/uploads/" in ignored


def test_stored_files_table() -> None:
    table = build_schema(parse_spec(SPEC.format(storage="local"))).table("stored_files")
    assert table is not None
    columns = {c.name: c for c in table.columns}
    assert list(columns) == [
        "id",
        "tenant_id",
        "uploaded_by_id",
        "original_name",
        "content_type",
        "size_bytes",
        "sha256",
        "storage_key",
        "status",
        "created_at",
        "updated_at",
    ]
    assert columns["size_bytes"].type.kind == "bigint"
    tenant_fk = columns["tenant_id"].foreign_key
    assert tenant_fk is not None and tenant_fk.ondelete == "CASCADE"
    uploader_fk = columns["uploaded_by_id"].foreign_key
    assert uploader_fk is not None and uploader_fk.ondelete == "SET NULL"
    assert columns["uploaded_by_id"].nullable and columns["sha256"].nullable
    assert [(i.columns, i.unique) for i in table.indexes if i.unique] == [(("storage_key",), True)]
    assert [c.values for c in table.checks] == [("pending", "ready")]
