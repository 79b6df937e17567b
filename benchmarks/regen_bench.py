"""Benchmark regeneration: `dayone plan` + `dayone apply --apply` against
`copier update` doing the same update on an equivalent copier template.

For each size (number of entities) the script:

1. writes a spec with N entities and generates the project (not timed);
2. makes the same hand edits in both projects (a line appended to every
   fifth model);
3. changes the spec (a new field on the first entity) and times, as
   separate processes, `dayone plan` and `dayone apply --apply`;
4. builds a copier template whose two tagged versions hold exactly the files
   Day One renders before and after the spec change, copies version 1,
   makes the same edits, commits, and times `copier update` to version 2;
5. times `dayone plan` on the project with nothing changed.

Caches: Day One's caches of formatted code and compiled templates are warm,
as on a developer's machine; its render cache is emptied before every timed
`dayone plan`, so each plan renders, and `apply` reuses what its plan
rendered, as it does in use.

The runs are interleaved: each of --repeat rounds times every scenario once,
on fresh copies, copier's included. Each timing is the median over the rounds,
in two clocks: wall-clock seconds, and CPU seconds (user + system) of the
command and every process it waited for (copier's git calls included). On a
shared, busy machine the wall clock mostly measures the neighbours; CPU time
does not, but a machine's speed still drifts by tens of percent within
minutes, so the ratio to copier is taken per round (runs made seconds apart)
and reported as the median and the lowest of the rounds. Run:

    pip install -e ".[bench]"
    python benchmarks/regen_bench.py --sizes 5 20 100 --repeat 7
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from generator.render import render  # noqa: E402
from generator.spec import parse_spec  # noqa: E402
from generator.tree import TreeCache  # noqa: E402


def spec_text(entities: int, *, extra_field: bool = False) -> str:
    lines = [
        "project: {name: Bench, slug: bench}",
        "rbac: {roles: [owner, admin, member]}",
        "entities:",
    ]
    for i in range(entities):
        lines += [
            f"  - name: Thing{i}",
            "    fields:",
            "      - {name: title, type: string, max_length: 120}",
            "      - {name: amount, type: integer, default: 0}",
            "      - {name: notes, type: text, required: false}",
        ]
        if i:
            lines.append(f"      - {{name: parent, type: ref, to: Thing{i - 1}, required: false}}")
        if extra_field and i == 0:
            lines.append("      - {name: priority, type: integer, default: 3}")
    return "\n".join(lines) + "\n"


class Timing(NamedTuple):
    wall: float
    cpu: float

    def __add__(self, other: object) -> Timing:
        assert isinstance(other, Timing)
        return Timing(self.wall + other.wall, self.cpu + other.cpu)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(*args: str, cwd: Path | None = None) -> Timing:
    """Wall-clock and CPU seconds of one command (and its children); fails loudly."""
    cpu = _children_cpu()
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=True, capture_output=True)
    return Timing(time.perf_counter() - start, _children_cpu() - cpu)


def dayone(*args: str) -> tuple[str, ...]:
    return (sys.executable, "-m", "generator.cli", *args)


def hand_edit(project: Path, entities: int) -> None:
    for i in range(0, entities, 5):
        model = project / f"backend/app/models/thing{i}.py"
        model.write_text(model.read_text() + "\n# a line written by hand\n")


def render_cache() -> Path:
    cache = TreeCache.default()
    assert cache is not None, "unset DAYONE_NO_CACHE: the benchmark measures with caches"
    return cache.root


class Scenario(NamedTuple):
    """A fresh copy of a project to work on, and the timed work done to it."""

    make: Callable[[], Path]
    measure: Callable[[Path], Timing]

    def once(self) -> Timing:
        return self.measure(self.make())


def dayone_scenarios(work: Path, entities: int) -> dict[str, Scenario]:
    pristine = work / "dayone-pristine"
    spec = work / "spec.yaml"
    spec.write_text(spec_text(entities))
    subprocess.run(
        dayone("new", str(spec), "--out", str(pristine)), check=True, capture_output=True
    )
    hand_edit(pristine, entities)
    changed = spec_text(entities, extra_field=True)
    # Warm the render caches once, as a developer's machine would have them.
    subprocess.run(dayone("check", str(pristine)), capture_output=True, check=False)

    def fresh(changed_spec: bool) -> Callable[[], Path]:
        def make() -> Path:
            # Every timed plan renders: only the caches of formatted code and compiled
            # templates stay warm. `apply` then reuses the render its plan just made.
            shutil.rmtree(render_cache(), ignore_errors=True)
            target = work / "dayone-run"
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(pristine, target)
            if changed_spec:
                (target / "dayone.yaml").write_text(changed)
            return target

        return make

    def plan_only(project: Path) -> Timing:
        return run(*dayone("plan", str(project)))

    def plan_and_apply(project: Path) -> Timing:
        return run(*dayone("plan", str(project))) + run(*dayone("apply", str(project), "--apply"))

    return {
        "plan": Scenario(fresh(True), plan_only),
        "plan+apply": Scenario(fresh(True), plan_and_apply),
        "plan (nothing changed)": Scenario(fresh(False), plan_only),
    }


def copier_scenario(work: Path, entities: int) -> Scenario:
    template = work / "copier-template"
    shutil.rmtree(template, ignore_errors=True)
    template.mkdir()
    git = ("git", "-c", "user.name=bench", "-c", "user.email=bench@example.com")
    run("git", "init", "-q", cwd=template)
    for tag, extra in (("v1", False), ("v2", True)):
        files = render(parse_spec(spec_text(entities, extra_field=extra))).files
        for old in template.iterdir():
            if old.name != ".git":
                shutil.rmtree(old) if old.is_dir() else old.unlink()
        for rel, data in files.items():
            path = template / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        (template / "copier.yml").write_text("_answers_file: .copier-answers.yml\n")
        (template / "{{_copier_conf.answers_file}}.jinja").write_text(
            "{{ _copier_answers|to_nice_yaml }}"
        )
        run("git", "add", "-A", cwd=template)
        run(*git, "commit", "-qm", tag, cwd=template)
        run("git", "tag", tag, cwd=template)

    pristine = work / "copier-pristine"
    shutil.rmtree(pristine, ignore_errors=True)
    copier = shutil.which("copier") or "copier"
    run(copier, "copy", "--vcs-ref", "v1", "--defaults", "--trust", str(template), str(pristine))
    hand_edit(pristine, entities)
    run("git", "init", "-q", cwd=pristine)
    run("git", "add", "-A", cwd=pristine)
    run(*git, "commit", "-qm", "generated and edited", cwd=pristine)

    def make() -> Path:
        target = work / "copier-run"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(pristine, target)
        return target

    def update(project: Path) -> Timing:
        return run(
            copier,
            "update",
            "--vcs-ref",
            "v2",
            "--defaults",
            "--trust",
            "--skip-answered",
            cwd=project,
        )

    return Scenario(make, update)


def median(times: list[Timing]) -> Timing:
    return Timing(statistics.median(t.wall for t in times), statistics.median(t.cpu for t in times))


def cell(t: Timing) -> str:
    return f"{t.wall:.2f} s / {t.cpu:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 20, 100])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-copier", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("XDG_CACHE_HOME", tempfile.mkdtemp(prefix="dayone-bench-cache-"))
    # An installed Day One has its bytecode compiled (pip does it), as copier has:
    # let the commands write and reuse theirs even where the shell says not to.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    print("Each cell: wall clock / CPU time, median of", args.repeat, "runs.\n")
    print(
        "| entities | files | dayone plan | plan + apply | copier update "
        "| copier / dayone, CPU (median, lowest) | plan, nothing changed |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for entities in args.sizes:
        files = len(render(parse_spec(spec_text(entities))).files)
        with tempfile.TemporaryDirectory(prefix="dayone-bench-") as tmp:
            work = Path(tmp)
            ours = dayone_scenarios(work, entities)
            theirs = None if args.no_copier else copier_scenario(work, entities)
            times: dict[str, list[Timing]] = {name: [] for name in [*ours, "copier"]}
            ratios: list[float] = []
            # Interleaved: each round times every command once, so a machine that
            # speeds up or slows down during the run affects both tools alike, and
            # each round's ratio compares runs made seconds apart.
            for _ in range(args.repeat):
                for name, scenario in ours.items():
                    times[name].append(scenario.once())
                if theirs is not None:
                    times["copier"].append(theirs.once())
                    ratios.append(times["copier"][-1].cpu / times["plan+apply"][-1].cpu)
            ratio = f"{statistics.median(ratios):.1f}x, {min(ratios):.1f}x" if ratios else "n/a"
            print(
                f"| {entities} | {files} | {cell(median(times['plan']))} "
                f"| {cell(median(times['plan+apply']))} "
                f"| {cell(median(times['copier'])) if ratios else 'n/a'} | {ratio} "
                f"| {cell(median(times['plan (nothing changed)']))} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
