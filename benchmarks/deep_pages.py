"""The deep-page curve: what one list request costs as an organization grows.

In one run the script generates a project (default examples/acme_crm.yaml; its
``Contact`` list is measured), builds its tables in a fresh PostgreSQL
database (``alembic upgrade head``), seeds organizations of ``--sizes``
contacts each with one bulk ``INSERT ... SELECT generate_series`` apiece
(benchmarks/app_seed.py, as app_bench.py does), serves the app with uvicorn
(one process), and times, one request after another (no concurrency: this
is latency, not throughput), for every organization:

* ``first page``: ``?limit=50``, with its total (counted up to TOTAL_CAP);
* ``cursor, 90% deep``: ``?limit=50&cursor=...``, the page that starts 90% of
  the way down the list (its cursor is the next_cursor of the page before);
* ``offset, 90% deep``: ``?limit=50&offset=...``, the same page by OFFSET,
  which the API keeps for the web app's numbered pages (and for contrast);

and, in SQL on the same database, the statements the list ran before keyset
pagination (an exact ``COUNT(*)`` of the organization's rows, and the OFFSET
page) next to the ones it runs now for a cursor page (the page, and the count
capped at TOTAL_CAP + 1). It prints the median and the 90th percentile of
each, in milliseconds, as a Markdown table, and the machine's load average.

    python benchmarks/deep_pages.py --sizes 200 20000 200000 --requests 30

Needs PostgreSQL (``--database-url``: a server URL whose user may create
databases). Timings are never asserted anywhere: the machine is shared.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Run as a script: its folder is on sys.path.
from app_bench import free_port, recreate_database, run, serving

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
PAGE = 50
TOTAL_CAP = 10_000  # app.db.TOTAL_CAP of the generated project


def drop_database(server_url: str, name: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(f"{server_url}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def timed(call: Callable[[], object], requests: int) -> tuple[float, float]:
    """Median and 90th percentile of ``requests`` calls, in ms, after 3 to warm up."""
    for _ in range(3):
        call()
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), statistics.quantiles(times, n=10)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", type=Path, default=REPO / "examples" / "acme_crm.yaml")
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 20_000, 200_000])
    parser.add_argument("--requests", type=int, default=30, help="timed requests per case")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432"
        ),
        help="PostgreSQL server URL, without a database name",
    )
    parser.add_argument("--database", default="dayone_deep_pages", help="created afresh, dropped")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="deep-pages-") as work:
        try:
            bench(args, Path(work))
        finally:
            drop_database(args.database_url, args.database)


def bench(args: argparse.Namespace, work: Path) -> None:
    import sqlalchemy as sa

    run(
        [
            sys.executable,
            "-m",
            "generator.cli",
            "new",
            str(args.spec.resolve()),
            "--out",
            str(work / "p"),
        ],
        cwd=REPO,
        env=os.environ | {"PYTHONPATH": str(REPO)},
    )
    backend = work / "p" / "backend"
    url = recreate_database(args.database_url, args.database)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROMETHEUS", "PYTHON"))}
    env |= {
        "SECRET_KEY": secrets.token_urlsafe(32),
        "ACCESS_TOKEN_MINUTES": "1440",
        "DATABASE_URL": url,
        "PYTHONPATH": str(backend),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=backend, env=env)
    started = time.monotonic()
    seed = json.loads(
        run(
            [sys.executable, str(BENCH / "app_seed.py"), *map(str, args.sizes)],
            cwd=backend,
            env=env,
        )
    )
    print(f"seeded {sum(args.sizes) + 200} contacts in {time.monotonic() - started:.1f} s")
    load = [os.getloadavg()[0]]
    port = free_port()
    rows: list[list[str]] = []
    engine = sa.create_engine(url)
    with (
        serving(
            [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port)],
            backend,
            env | {"PORT": str(port)},
            port,
            work / "server.log",
        ),
        engine.connect() as db,
    ):
        api = Api(port, str(seed["token"]))
        for size in args.sizes:
            rows += measure(api, db, str(seed["orgs"][f"org{size}"]), size, args.requests)
            load.append(os.getloadavg()[0])
        api.connection.close()
    engine.dispose()
    print(f"\nload average (1 min) during the run: {min(load):.1f} to {max(load):.1f}\n")
    print("| rows per organization | request | p50 ms | p90 ms | total answered |")
    print("| --- | --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")


class Api:
    """GET requests on one kept-alive connection, signed in."""

    def __init__(self, port: int, token: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **params: object) -> dict[str, Any]:
        query = urllib.parse.urlencode(params)
        self.connection.request("GET", f"/api/v1{path}?{query}", headers=self.headers)
        response = self.connection.getresponse()
        body = response.read()
        assert response.status == 200, body
        answer: dict[str, Any] = json.loads(body)
        return answer


def measure(api: Api, db: Any, org: str, size: int, requests: int) -> list[list[str]]:
    import sqlalchemy as sa

    path = f"/orgs/{org}/contacts"
    deep = int(size * 0.9) // PAGE * PAGE
    after = {"cursor": api.get(path, limit=PAGE, offset=deep - PAGE)["next_cursor"]} if deep else {}
    first = api.get(path, limit=PAGE)
    by_cursor = api.get(path, limit=PAGE, **after)
    by_offset = api.get(path, limit=PAGE, offset=deep)
    assert by_cursor["items"] == by_offset["items"], "the cursor and offset pages differ"
    cases: dict[str, Callable[[], object]] = {
        "HTTP first page": lambda: api.get(path, limit=PAGE),
        "HTTP cursor, 90% deep": lambda: api.get(path, limit=PAGE, **after),
        "HTTP offset, 90% deep": lambda: api.get(path, limit=PAGE, offset=deep),
    }
    where = "FROM contacts WHERE org_id = :org"
    order = "ORDER BY created_at DESC, id DESC"
    # The row the cursor page starts after: the last of the page before it.
    before = api.get(path, limit=1, offset=deep - 1)["items"] if deep else []
    position = (
        {"c": before[0]["created_at"], "i": before[0]["id"]}
        if before
        else {"c": "9999-12-31T00:00:00Z", "i": org}
    )
    sql = {
        "SQL before: exact COUNT(*)": (f"SELECT count(*) {where}", {}),
        "SQL before: OFFSET page": (f"SELECT * {where} {order} LIMIT {PAGE} OFFSET {deep}", {}),
        "SQL now: cursor page": (
            f"SELECT * {where} AND (created_at, id) < (CAST(:c AS timestamptz),"
            f" CAST(:i AS uuid)) {order} LIMIT {PAGE + 1}",
            position,
        ),
        "SQL now: capped count": (
            f"SELECT count(*) FROM (SELECT 1 {where} LIMIT {TOTAL_CAP + 1}) AS capped",
            {},
        ),
    }

    def statement(text: str, params: dict[str, str]) -> Callable[[], object]:
        return lambda: db.execute(sa.text(text), {"org": org, **params}).all()

    for name, (text, params) in sql.items():
        cases[name] = statement(text, params)
    total = f"{first['total']}{'' if first['total_exact'] else ' (more than)'}"
    rows = []
    for name, call in cases.items():
        p50, p90 = timed(call, requests)
        rows.append([f"{size:,}", name, f"{p50:.1f}", f"{p90:.1f}", total])
    return rows


if __name__ == "__main__":
    main()
