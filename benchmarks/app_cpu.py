"""CPU time per request of the generated API and of the hand-written one, in-process.

Wall-clock load tests (benchmarks/app_bench.py) move by 0.3x between runs on a
machine shared with other work; the CPU time a request costs the serving
process moves less (still by up to 30% between runs there, which is why the
ratio of batches run back to back is the figure to read), and it is what
bounds throughput when the database is not the limit. This script sets up
both apps exactly as app_bench.py does
(``prepare``: the same project, databases, seed, production settings of the
generated app) and, for each of app_bench.py's endpoints (the same requests
and credentials), calls each app's ASGI callable in a loop, in a process of
its own, the way uvicorn would (lifespan started first; sync routes and
dependencies go through AnyIO's thread pool as in production; logs go to a
file). For every batch of ``--requests`` requests it reads the process's CPU
time (``time.process_time``: all threads), and prints, per endpoint, the least
CPU time per request over ``--batches`` batches for each app, the ratio
generated / hand-written of those, and the median ratio of the pairs of
batches. Batches are interleaved: each endpoint runs one batch in one app,
then in the other, alternating which goes first; a pair sees the same
conditions, so its ratio moves less than either app's figure.

The database's own CPU time is not counted (another process); requests run one
at a time, so neither app waits for a connection or a thread.

    python benchmarks/app_cpu.py --sizes 200 --batches 8 --requests 200 \\
        --redis-url redis://127.0.0.1:6379/8
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from app_bench import Setup, add_common_arguments, prepare, requests_of, work_folder


class Worker:
    """One app in a process of its own, running batches on request."""

    def __init__(self, setup: Setup, name: str, requests: list[list[object]], log: Path) -> None:
        target, cwd, env = setup.apps[name]
        read, self._write = os.pipe()
        self._log = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--worker", target, str(self._write), json.dumps(requests)],
            cwd=cwd,
            env=env | {"WEB_CONCURRENCY": "1"},
            stdin=subprocess.PIPE,
            stdout=self._log,
            stderr=self._log,
            pass_fds=(self._write,),
            text=True,
        )
        os.close(self._write)
        self._results = os.fdopen(read)
        self.name = name
        self._expect("ready")

    def _expect(self, what: str) -> dict[str, Any]:
        line = self._results.readline()
        if not line:
            sys.exit(f"the {self.name} app's worker exited; see {self._log.name}")
        answer: dict[str, Any] = json.loads(line)
        if answer.get("error"):
            sys.exit(f"{self.name}: {answer['error']}")
        assert answer["what"] == what, answer
        return answer

    def batch(self, index: int, count: int) -> float:
        """CPU seconds per request of ``count`` requests of scenario ``index``."""
        assert self.process.stdin is not None
        self.process.stdin.write(f"{index} {count}\n")
        self.process.stdin.flush()
        return float(self._expect("batch")["cpu"]) / count

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(60)
        self._results.close()
        self._log.close()


def main() -> None:
    if sys.argv[1:2] == ["--worker"]:
        asyncio.run(worker(sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4])))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser)
    parser.set_defaults(sizes=[200])
    parser.add_argument("--batches", type=int, default=8)
    parser.add_argument("--requests", type=int, default=200, help="requests per batch")
    args = parser.parse_args()
    with work_folder("app-cpu-", keep=args.keep) as work:
        measure(args, work)


def measure(args: argparse.Namespace, work: Path) -> None:
    setup = prepare(args, work)
    requests = requests_of(setup.cases, setup.seed)
    workers = {
        name: Worker(setup, name, requests, work / f"{name}.log")
        for name in ("generated", "reference")
    }
    cpu: dict[tuple[str, str], list[float]] = {}
    try:
        for index in range(len(setup.cases)):  # warm up: connections, caches
            for app in workers.values():
                app.batch(index, max(10, args.requests // 10))
        for round_ in range(args.batches):
            order = ("generated", "reference") if round_ % 2 == 0 else ("reference", "generated")
            for index, case in enumerate(setup.cases):
                for name in order:
                    seconds = workers[name].batch(index, args.requests)
                    cpu.setdefault((case.name, name), []).append(seconds)
    finally:
        for app in workers.values():
            app.close()
    print(
        f"\nCPU ms per request, in-process, {args.batches} interleaved batches of "
        f"{args.requests}: the least batch of each app, their ratio, and the median of "
        "the ratios of the batches run one after the other (the steadier figure)"
    )
    print("| endpoint | generated | hand-written | ratio of least | median paired ratio |")
    print("| --- | --- | --- | --- | --- |")
    rows = []
    for case in setup.cases:
        gens, refs = cpu[(case.name, "generated")], cpu[(case.name, "reference")]
        gen, ref = min(gens), min(refs)
        paired = statistics.median(g / r for g, r in zip(gens, refs, strict=True))
        rows.append(
            {"endpoint": case.name, "generated": gen, "reference": ref, "paired_ratio": paired}
        )
        print(
            f"| {case.name} | {gen * 1e3:.3f} | {ref * 1e3:.3f} | {gen / ref:.2f}x "
            f"| {paired:.2f}x |"
        )
    if args.json:
        args.json.write_text(json.dumps({"cpu_seconds_per_request": rows}, indent=2))


async def worker(target: str, results_fd: int, requests: list[list[Any]]) -> None:
    """Serve batches of ``requests`` to the app ``target`` (``module:name``);
    commands (``<scenario index> <count>``) come on stdin, answers go to
    ``results_fd`` (stdout and stderr hold the app's logs)."""
    module, name = target.split(":")
    app = getattr(importlib.import_module(module), name)
    results = os.fdopen(results_fd, "w")
    state: dict[str, Any] = {}
    lifespan = Lifespan(app, state)
    await lifespan.start()
    answer(results, {"what": "ready"})
    counter = 0
    while line := await asyncio.to_thread(sys.stdin.readline):
        index, count = map(int, line.split())
        _name, method, path, headers, body = requests[index]
        calls = []
        for _ in range(count):
            counter += 1
            calls.append(http_call(method, path, headers, body, counter))
        started = time.process_time()
        statuses = [await call(app, state) for call in calls]
        spent = time.process_time() - started
        bad = [status for status in statuses if status >= 300]
        if bad:
            answer(results, {"error": f"{requests[index][0]}: answered {bad[0]}"})
            break
        answer(results, {"what": "batch", "cpu": spent})
    await lifespan.stop()


def answer(results: Any, message: dict[str, Any]) -> None:
    results.write(json.dumps(message) + "\n")
    results.flush()


class Lifespan:
    """The ASGI lifespan protocol, as a server runs it."""

    def __init__(self, app: Any, state: dict[str, Any]) -> None:
        self.app, self.state = app, state
        self.inbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()
        self.outbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()

    async def start(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": self.state}
        self.task = asyncio.create_task(self.app(scope, self.inbox.get, self.outbox.put))
        await self.inbox.put({"type": "lifespan.startup"})
        message = await self.outbox.get()
        assert message["type"] == "lifespan.startup.complete", message

    async def stop(self) -> None:
        await self.inbox.put({"type": "lifespan.shutdown"})
        await self.outbox.get()
        await self.task


def http_call(
    method: str, path: str, headers: dict[str, str], body: dict[str, Any] | None, counter: int
) -> Any:
    """One request as uvicorn hands it to the app; returns a coroutine function
    of (app, lifespan state) answering the response's status."""
    if body and "email" in body:
        body = body | {"email": f"cpu{counter}-{body['email']}"}
    content = json.dumps(body).encode() if body is not None else b""
    path, _, query = path.partition("?")
    raw = [(b"host", b"127.0.0.1:8000"), (b"user-agent", b"app-cpu")]
    raw += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    if body is not None:
        raw += [(b"content-type", b"application/json")]
        raw += [(b"content-length", str(len(content)).encode())]

    async def call(app: Any, state: dict[str, Any]) -> int:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1",
            "server": ("127.0.0.1", 8000),
            "client": ("127.0.0.1", 40000 + counter % 32),
            "scheme": "http",
            "method": method,
            "root_path": "",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "headers": raw,
            "state": state.copy(),
        }
        sent = False
        status = 0

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.Event().wait()  # the client stays connected
            sent = True
            return {"type": "http.request", "body": content, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await app(scope, receive, send)
        return status

    return call


if __name__ == "__main__":
    main()
