"""Runs inside a generated project's backend/ (a subprocess of the migration tests).

Reads a JSON list of steps from argv[1], runs them against the database URL of
each step, and writes what they observed to argv[2] as JSON. Steps:

* ``{"do": "upgrade" | "downgrade", "to": "head" | "-1"}``, ``{"do": "check"}``
  (``alembic check``: raises on any difference between models and database);
* ``{"do": "insert", "table": ..., "values": {...}}``: one row through a plain
  ``INSERT`` (a value ``"uuid:NAME"`` becomes a fixed UUID spelled the way the
  database stores it);
* ``{"do": "query", "name": ..., "sql": ...}``: rows of a SELECT;
* ``{"do": "snapshot", "name": ...}``: the reflected schema;
* ``{"do": "create_all", "url": ...}``: the models' own schema, created on a
  second, empty database (the reference an upgraded database must equal);
* ``{"do": "stamp", "to": ...}``: ``alembic stamp`` (as if a revision had not
  finished);
* ``{"do": "execute", "sql": ...}``: one statement outside a transaction; a
  failing one is recorded under ``name``, not raised.

An upgrade with ``"record": NAME`` records the statements it ran under NAME.
"""

from __future__ import annotations

import json
import re
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

sys.path.insert(0, str(Path.cwd()))


def config(url: str) -> Config:
    cfg = Config(str(Path.cwd() / "alembic.ini"))
    cfg.set_main_option("script_location", str(Path.cwd() / "alembic"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def fixed_uuid(name: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"dayone-test:{name}")


def bind_value(value: Any, dialect: str) -> Any:
    if isinstance(value, str) and value.startswith("uuid:"):
        u = fixed_uuid(value[5:])
        return u.hex if dialect == "sqlite" else str(u)
    return value


def plain(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def normalize_default(text: str | None) -> str | None:
    if text is None:
        return None
    # PostgreSQL spells casts into the default ('open'::character varying).
    return re.sub(r"::[a-z ]+(\(\d+\))?$", "", str(text)).strip("()") or None


def snapshot(engine: sa.Engine) -> dict[str, Any]:
    inspector = sa.inspect(engine)
    out: dict[str, Any] = {}
    for table in sorted(inspector.get_table_names()):
        if table == "alembic_version":
            continue
        columns = {
            c["name"]: {
                "type": str(c["type"]),
                "nullable": c["nullable"],
                "default": normalize_default(c.get("default")),
            }
            for c in inspector.get_columns(table)
        }
        pk = inspector.get_pk_constraint(table)
        out[table] = {
            "columns": columns,
            "primary_key": sorted(pk.get("constrained_columns") or []),
            "primary_key_name": pk.get("name"),
            "indexes": sorted(
                (i["name"], list(i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(table)
            ),
            "uniques": sorted(
                (u["name"], list(u["column_names"]))
                for u in inspector.get_unique_constraints(table)
            ),
            "foreign_keys": sorted(
                (
                    f["name"],
                    list(f["constrained_columns"]),
                    f["referred_table"],
                    list(f["referred_columns"]),
                    (f.get("options") or {}).get("ondelete"),
                )
                for f in inspector.get_foreign_keys(table)
            ),
            "checks": sorted(
                (c["name"], " ".join(str(c["sqltext"]).split()))
                for c in inspector.get_check_constraints(table)
            ),
        }
    return out


@contextmanager
def recording(results: dict[str, Any], name: str | None) -> Iterator[None]:
    """Record every statement any engine runs meanwhile under ``results[name]``."""
    if name is None:
        yield
        return
    statements: list[str] = results.setdefault(name, [])

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(" ".join(statement.split()))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        yield
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)


def main() -> None:
    steps = json.loads(Path(sys.argv[1]).read_text())
    results: dict[str, Any] = {}
    for step in steps:
        url = step["url"]
        do = step["do"]
        if do == "upgrade":
            with recording(results, step.get("record")):
                command.upgrade(config(url), step.get("to", "head"))
        elif do == "stamp":
            command.stamp(config(url), step["to"])
        elif do == "execute":
            engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
            try:
                with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(sa.text(step["sql"]))
            except sa.exc.DBAPIError as error:
                results[step["name"]] = str(error.orig)
            finally:
                engine.dispose()
        elif do == "downgrade":
            command.downgrade(config(url), step.get("to", "-1"))
        elif do == "check":
            command.check(config(url))
        elif do in {"insert", "query", "snapshot"}:
            engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
            try:
                if do == "insert":
                    dialect = engine.dialect.name
                    values = {k: bind_value(v, dialect) for k, v in step["values"].items()}
                    names = list(values)
                    sql = 'INSERT INTO "{}" ({}) VALUES ({})'.format(
                        step["table"],
                        ", ".join(f'"{n}"' for n in names),
                        ", ".join(f":{n}" for n in names),
                    )
                    with engine.begin() as conn:
                        conn.execute(sa.text(sql), values)
                elif do == "query":
                    with engine.connect() as conn:
                        rows = conn.execute(sa.text(step["sql"])).all()
                    results[step["name"]] = [[plain(v) for v in row] for row in rows]
                else:
                    results[step["name"]] = snapshot(engine)
            finally:
                engine.dispose()
        elif do == "create_all":
            import app.models  # noqa: F401  (registers every model)
            from app.db import Base

            engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
            try:
                Base.metadata.create_all(engine)
                results[step["name"]] = snapshot(engine)
            finally:
                engine.dispose()
        else:
            raise SystemExit(f"unknown step {do!r}")
    Path(sys.argv[2]).write_text(json.dumps(results, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
