"""Benchmark the generated API against a hand-written FastAPI + SQLAlchemy app.

In one run the script:

1. generates a project from a spec (default examples/acme_crm.yaml; its
   ``Contact`` entity is what is measured);
2. creates two PostgreSQL databases, builds the generated project's tables in
   each (``alembic upgrade head``) and seeds both with the same rows
   (benchmarks/app_seed.py): one organization per ``--sizes`` value holding
   that many contacts, one for writes, a user with a live session, an API key;
3. counts the SQL statements of one request of every kind in each app (an
   event listener on the app's engine, in a separate process; the apps under
   load count nothing);
4. serves the generated app as in production (ENVIRONMENT=production, JSON
   access logs, metrics, rate limits counted in Redis, security headers) and
   the hand-written one (benchmarks/reference_app.py: none of that), first
   with uvicorn (one process each), then with gunicorn (the generated
   gunicorn.conf.py, 2 workers; the same worker class and count for the
   reference);
5. runs the same load against each with wrk, in interleaved rounds: each
   round runs every scenario against both apps, seconds apart, in an order
   that alternates between rounds, each run starting once the database has
   finished the requests the last one left in flight; and prints requests/s, p50 and p99 of
   each, and the ratios generated / hand-written per round (median and the
   worst round).

This machine is shared and its speed drifts: absolute numbers are noise, the
ratios of runs made seconds apart are what counts. API-key requests are
limited as in production, but at a rate (API_KEY_RATE_LIMIT) that the load
cannot reach, so that every request is answered 200; any answer that is not
2xx is reported in the table.

    apt-get install -y wrk
    python benchmarks/app_bench.py --rounds 3 --duration 10

Needs PostgreSQL (``--database-url``, a server URL whose user may create
databases) and Redis (``--redis-url``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent

# One wrk script per scenario kind; {..} is filled in by the benchmark.
LUA_COMMON = """
local counter = 0
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local function auth(headers)
  {auth}
  return headers
end
request = function()
  counter = counter + 1
  local headers = auth({{}})
  {body}
end
done = function(summary, latency, requests)
  local s = summary.errors
  io.write(string.format(
    '{{"requests": %d, "seconds": %f, "non2xx": %d, "errors": %d, "p50": %d, "p99": %d}}\\n',
    summary.requests, summary.duration / 1e6, s.status,
    s.connect + s.read + s.write + s.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""
GET = 'return wrk.format("GET", "{path}", headers)'
POST = """headers["Content-Type"] = "application/json"
  local email = "w" .. tid .. "-" .. os.time() .. "-" .. counter .. "@example.com"
  return wrk.format("POST", "{path}", headers,
    '{{"email": "' .. email .. '", "full_name": "Bench ' .. counter .. '", "score": 7}}')"""
PATCH = """headers["Content-Type"] = "application/json"
  return wrk.format("PATCH", "{path}", headers, '{{"score": ' .. (counter % 1000) .. '}}')"""
BEARER = 'headers["Authorization"] = "Bearer {token}"'
API_KEY = 'headers["X-API-Key"] = "{key}"'


@dataclass(frozen=True)
class Scenario:
    name: str
    method: str
    path: str
    api_key: bool = False


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    bad: int


@dataclass
class Table:
    runs: dict[tuple[str, str], list[Result]] = field(default_factory=dict)

    def add(self, scenario: str, app: str, result: Result) -> None:
        self.runs.setdefault((scenario, app), []).append(result)


def scenarios(seed: dict[str, object], sizes: list[int]) -> list[Scenario]:
    orgs = seed["orgs"]
    assert isinstance(orgs, dict)
    base = "/api/v1/orgs/{}/contacts"
    first = base.format(orgs[f"org{sizes[0]}"])
    write = base.format(orgs["write"])
    found: list[Scenario] = []
    for rows in sizes:
        path = base.format(orgs[f"org{rows}"])
        found.append(Scenario(f"list, {rows:,} rows", "GET", path))
    deepest = sizes[-1]
    deep = base.format(orgs[f"org{deepest}"])
    found.append(
        Scenario(
            f"list, {deepest:,} rows, offset {deepest // 2:,}",
            "GET",
            f"{deep}?offset={deepest // 2}",
        )
    )
    found += [
        Scenario("get by id", "GET", f"{first}/{seed['contact']}"),
        Scenario("create", "POST", write),
        Scenario("update", "PATCH", f"{write}/{seed['write_contact']}"),
        Scenario(f"list with API key, {sizes[0]:,} rows", "GET", first, api_key=True),
    ]
    return found


def lua(scenario: Scenario, seed: dict[str, object]) -> str:
    auth = (
        API_KEY.format(key=seed["api_key"])
        if scenario.api_key
        else BEARER.format(token=seed["token"])
    )
    body = {"GET": GET, "POST": POST, "PATCH": PATCH}[scenario.method].format(path=scenario.path)
    return LUA_COMMON.format(auth=auth, body=body)


def run(command: list[str], **kwargs: object) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]
    if done.returncode != 0:
        shown = " ".join(command)[:200]
        sys.exit(f"{shown} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return str(done.stdout)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def recreate_database(server_url: str, name: str) -> str:
    import sqlalchemy as sa

    engine = sa.create_engine(f"{server_url}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return f"{server_url}/{name}"


def wait_until_idle(server_url: str, databases: list[str], seconds: float = 60) -> None:
    """Until no statement has run in ``databases`` for 0.5 s. When wrk's run
    ends, a server goes on with the requests it had taken (a sync route is not
    cancelled): a 200,000-row page can keep PostgreSQL busy for seconds, which
    the next app's run (the other app's, every other round) would pay for."""
    import sqlalchemy as sa

    engine = sa.create_engine(f"{server_url}/postgres", isolation_level="AUTOCOMMIT")
    busy = sa.text(
        "SELECT count(*) FROM pg_stat_activity WHERE state = 'active'"
        " AND pid <> pg_backend_pid() AND datname = ANY(:names)"
    )
    deadline, quiet_since = time.monotonic() + seconds, None
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            if conn.scalar(busy, {"names": databases}):
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= 0.5:
                break
            time.sleep(0.05)
    engine.dispose()


def wait_ready(port: int, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    """Until the server answers HTTP (any status): gunicorn's master accepts
    connections before its workers have imported the app."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"server on port {port} exited with {process.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # an answer all the same
        except OSError:
            time.sleep(0.2)
    sys.exit(f"server on port {port} did not start")


@contextlib.contextmanager
def serving(
    command: list[str], cwd: Path, env: dict[str, str], port: int, log: Path
) -> Iterator[None]:
    with log.open("wb") as err:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=err, stderr=err, start_new_session=True
        )
    try:
        wait_ready(port, process)
        yield
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def load(port: int, script: Path, args: argparse.Namespace, seconds: float) -> Result:
    out = run(
        [
            "wrk",
            f"-t{args.threads}",
            f"-c{args.connections}",
            f"-d{int(seconds)}s",
            "--latency",
            "--timeout",
            "60s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ]
    )
    numbers = json.loads(out.strip().splitlines()[-1])
    if not numbers["requests"]:
        print(f"no request was answered on port {port}:\n{out}", file=sys.stderr)
    return Result(
        rps=numbers["requests"] / numbers["seconds"],
        p50_ms=numbers["p50"] / 1000,
        p99_ms=numbers["p99"] / 1000,
        bad=numbers["non2xx"] + numbers["errors"],
    )


COUNT_SQL = """
import json, sys, sqlalchemy as sa
from fastapi.testclient import TestClient
app_module, requests = sys.argv[1], json.loads(sys.argv[2])
import importlib
app = getattr(importlib.import_module(app_module.split(":")[0]), app_module.split(":")[1])
count = 0
def counted(*_):
    global count
    count += 1
# Every engine the app makes (the generated app builds its own in create_app).
sa.event.listen(sa.engine.Engine, "before_cursor_execute", counted)
counts = {}
with TestClient(app, base_url="http://127.0.0.1") as client:
    for name, method, path, headers, body in requests:
        for attempt in range(2):  # the second is counted: caches warm, as under load
            count = 0
            if body and "email" in body:
                body["email"] = f"{attempt}-{body['email']}"
            response = client.request(method, path, headers=headers, json=body)
            assert response.status_code < 300, (name, response.status_code, response.text)
        counts[name] = count
print(json.dumps(counts))
"""


def requests_of(cases: list[Scenario], seed: dict[str, object]) -> list[list[object]]:
    """Each scenario as ``[name, method, path, headers, body]``: one request with
    the seeded credentials (a create's e-mail is unique per call of this)."""
    requests: list[list[object]] = []
    for index, case in enumerate(cases):
        headers = (
            {"X-API-Key": seed["api_key"]}
            if case.api_key
            else {"Authorization": f"Bearer {seed['token']}"}
        )
        body: dict[str, object] | None = None
        if case.method == "POST":
            body = {
                "email": f"count{index}-{secrets.token_hex(4)}@example.com",
                "full_name": "Count",
                "score": 1,
            }
        elif case.method == "PATCH":
            body = {"score": 3}
        requests.append([case.name, case.method, case.path, headers, body])
    return requests


def count_statements(
    app: str,
    cwd: Path,
    env: dict[str, str],
    cases: list[Scenario],
    seed: dict[str, object],
) -> dict[str, int]:
    requests = requests_of(cases, seed)
    out = run([sys.executable, "-c", COUNT_SQL, app, json.dumps(requests)], cwd=cwd, env=env)
    return dict(json.loads(out.strip().splitlines()[-1]))


def generate(spec: Path, out: Path) -> Path:
    env = os.environ | {"PYTHONPATH": str(REPO)}
    run(
        [sys.executable, "-m", "generator.cli", "new", str(spec), "--out", str(out)],
        cwd=REPO,
        env=env,
    )
    return out / "backend"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per run")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--servers", nargs="+", default=["uvicorn", "gunicorn"], choices=["uvicorn", "gunicorn"]
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")

    with work_folder("app-bench-", keep=args.keep) as work:
        bench(args, work)


@contextlib.contextmanager
def work_folder(prefix: str, *, keep: bool) -> Iterator[Path]:
    """A scratch folder, removed afterwards unless ``keep`` (then its path is printed)."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield work
    finally:
        if keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


@dataclass(frozen=True)
class Setup:
    """Both apps' databases built and seeded, and how to run each app."""

    backend: Path
    seed: dict[str, object]
    cases: list[Scenario]
    generated_env: dict[str, str]
    reference_env: dict[str, str]

    @property
    def apps(self) -> dict[str, tuple[str, Path, dict[str, str]]]:
        """Each app's ASGI target, working directory and environment."""
        return {
            "generated": ("app.main:app", self.backend, self.generated_env),
            "reference": ("reference_app:app", BENCH, self.reference_env),
        }


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the set-up (``prepare``), shared with benchmarks/app_cpu.py."""
    parser.add_argument("--spec", type=Path, default=REPO / "examples" / "acme_crm.yaml")
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 20_000, 200_000])
    parser.add_argument(
        "--only", nargs="*", default=[], help="run only scenarios whose name starts so"
    )
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    parser.add_argument("--databases", nargs=2, default=["bench_generated", "bench_reference"])
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument(
        "--project", type=Path, help="use this generated project instead of generating one"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (servers' logs)")


def prepare(args: argparse.Namespace, work: Path) -> Setup:
    """Generate (or take) the project, build and seed both databases, and the
    production environment of the generated app."""
    backend = (
        args.project / "backend"
        if args.project
        else generate(args.spec.resolve(), work / "project")
    )
    secret = secrets.token_urlsafe(32)
    urls = {
        "generated": recreate_database(args.database_url, args.databases[0]),
        "reference": recreate_database(args.database_url, args.databases[1]),
    }
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("PROMETHEUS", "PYTHON"))}
    base_env |= {
        "SECRET_KEY": secret,
        "ACCESS_TOKEN_MINUTES": "1440",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    seed: dict[str, object] = {}
    for url in urls.values():
        env = base_env | {"DATABASE_URL": url, "PYTHONPATH": str(backend)}
        run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=backend, env=env)
        seed = json.loads(
            run(
                [sys.executable, str(BENCH / "app_seed.py"), *map(str, args.sizes)],
                cwd=backend,
                env=env,
            )
        )
    cases = [
        c
        for c in scenarios(seed, args.sizes)
        if not args.only or c.name.startswith(tuple(args.only))
    ]
    generated_env = base_env | {
        "DATABASE_URL": urls["generated"],
        "PYTHONPATH": str(backend),
        "ENVIRONMENT": "production",
        "LOG_FORMAT": "json",
        "REDIS_URL": args.redis_url,
        "METRICS_TOKEN": secrets.token_urlsafe(16),
        # Required in production with a paid provider; never called here.
        "STRIPE_API_KEY": "sk_test_bench",
        "STRIPE_WEBHOOK_SECRET": "whsec_bench",
        # Counted and enforced, never reached: every request gets its 200.
        "API_KEY_RATE_LIMIT": "100000000/minute",
    }
    reference_env = base_env | {"DATABASE_URL": urls["reference"], "PYTHONPATH": str(BENCH)}
    return Setup(backend, seed, cases, generated_env, reference_env)


def bench(args: argparse.Namespace, work: Path) -> None:
    setup = prepare(args, work)
    backend, seed, cases = setup.backend, setup.seed, setup.cases
    generated_env, reference_env = setup.generated_env, setup.reference_env
    scripts = {}
    for index, case in enumerate(cases):
        scripts[case.name] = work / f"scenario{index}.lua"
        scripts[case.name].write_text(lua(case, seed))

    statements = {
        "generated": count_statements(
            "app.main:app",
            backend,
            generated_env | {"WEB_CONCURRENCY": "1"},
            cases,
            seed,
        ),
        "reference": count_statements("reference_app:app", BENCH, reference_env, cases, seed),
    }
    report: dict[str, object] = {"statements": statements, "servers": {}}
    for server in args.servers:
        ports = {"generated": free_port(), "reference": free_port()}
        commands = {
            app: _server_command(server, app, ports[app], backend)
            for app in ("generated", "reference")
        }
        envs = {
            "generated": generated_env
            | {
                "PORT": str(ports["generated"]),
                "WEB_CONCURRENCY": "1" if server == "uvicorn" else "2",
            },
            "reference": reference_env,
        }
        cwd = {"generated": backend, "reference": BENCH}
        with contextlib.ExitStack() as stack:
            for app in ("generated", "reference"):
                stack.enter_context(
                    serving(
                        commands[app], cwd[app], envs[app], ports[app], work / f"{server}-{app}.log"
                    )
                )
            table = Table()
            for app in ("generated", "reference"):  # warm up: connections, caches
                for case in cases:
                    load(ports[app], scripts[case.name], args, 2)
                    wait_until_idle(args.database_url, args.databases)
            for round_ in range(args.rounds):
                order = (
                    ("generated", "reference") if round_ % 2 == 0 else ("reference", "generated")
                )
                for case in cases:
                    for app in order:
                        table.add(
                            case.name,
                            app,
                            load(ports[app], scripts[case.name], args, args.duration),
                        )
                        wait_until_idle(args.database_url, args.databases)
                print(f"{server}: round {round_ + 1} of {args.rounds} done", file=sys.stderr)
        rows = _print_table(server, cases, table, statements, args)
        report["servers"][server] = rows  # type: ignore[index]
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


def _server_command(server: str, app: str, port: int, backend: Path) -> list[str]:
    target = "app.main:app" if app == "generated" else "reference_app:app"
    if server == "uvicorn":
        return [
            sys.executable,
            "-m",
            "uvicorn",
            target,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ]
    if app == "generated":
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            target,
        ]
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--worker-class",
        "uvicorn.workers.UvicornWorker",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        target,
    ]


def _print_table(
    server: str,
    cases: list[Scenario],
    table: Table,
    statements: dict[str, dict[str, int]],
    args: argparse.Namespace,
) -> list[dict[str, object]]:
    print(
        f"\n{server}: {args.rounds} interleaved rounds of {args.duration:g} s, "
        f"wrk -t{args.threads} -c{args.connections}"
    )
    print(
        "| endpoint | generated req/s | hand-written req/s | throughput ratio (median, worst) "
        "| p50 ms gen / ref | p99 ms gen / ref | p99 ratio (median, worst) "
        "| SQL statements gen / ref | non-2xx |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    rows = []
    for case in cases:
        gen, ref = table.runs[(case.name, "generated")], table.runs[(case.name, "reference")]
        ratios = [g.rps / r.rps for g, r in zip(gen, ref, strict=True)]
        p99 = [g.p99_ms / r.p99_ms for g, r in zip(gen, ref, strict=True)]
        med = statistics.median
        row: dict[str, Any] = {
            "endpoint": case.name,
            "generated_rps": med(g.rps for g in gen),
            "reference_rps": med(r.rps for r in ref),
            "ratio": med(ratios),
            "worst_ratio": min(ratios),
            "generated_p50": med(g.p50_ms for g in gen),
            "reference_p50": med(r.p50_ms for r in ref),
            "generated_p99": med(g.p99_ms for g in gen),
            "reference_p99": med(r.p99_ms for r in ref),
            "p99_ratio": med(p99),
            "worst_p99_ratio": max(p99),
            "statements": [statements["generated"][case.name], statements["reference"][case.name]],
            "bad": sum(g.bad for g in gen) + sum(r.bad for r in ref),
        }
        rows.append(row)
        print(
            f"| {case.name} | {row['generated_rps']:.0f} | {row['reference_rps']:.0f} "
            f"| {row['ratio']:.2f}x, {row['worst_ratio']:.2f}x "
            f"| {row['generated_p50']:.1f} / {row['reference_p50']:.1f} "
            f"| {row['generated_p99']:.1f} / {row['reference_p99']:.1f} "
            f"| {row['p99_ratio']:.2f}x, {row['worst_p99_ratio']:.2f}x "
            f"| {row['statements'][0]} / {row['statements'][1]} | {row['bad']} |"
        )
    return rows


if __name__ == "__main__":
    main()
