"""Commands that regenerate an existing project: plan, apply, check, diff, adopt."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Annotated

import typer

from generator.apply import transaction
from generator.apply.regenerate import Options, Report
from generator.cli.output import console
from generator.plan import Action, ActionKind, Plan
from generator.regenerate import CONFLICTS_FILE, PLAN_FILE, Regeneration, adopt, resolve

Dir = Annotated[Path, typer.Argument(help="The project folder (holds dayone.yaml).")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]

_STYLE = {
    ActionKind.CREATE: "green",
    ActionKind.UPDATE: "cyan",
    ActionKind.MERGE: "cyan",
    ActionKind.MOVE: "cyan",
    ActionKind.DELETE: "yellow",
    ActionKind.CONFLICT: "bold red",
    ActionKind.IDENTICAL: "dim",
    ActionKind.KEEP: "dim",
    ActionKind.SKIP: "dim",
}


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)
    app.command("apply")(apply)
    app.command("check")(check)
    app.command("diff")(diff)
    app.command("adopt")(adopt_command)
    app.command("resolve")(resolve_command)


def plan(
    root: Dir = Path("."),
    as_json: JsonFlag = False,
    restore: Annotated[
        bool, typer.Option("--restore", help="Recreate generated files you deleted.")
    ] = False,
    show_all: Annotated[bool, typer.Option("--all", help="List unchanged files too.")] = False,
) -> None:
    """Compare baseline, disk and a fresh render; write plan.json and conflicts.json."""
    plan = Regeneration(root, restore=restore).write_plan()
    if as_json:
        typer.echo(json.dumps(plan.to_json(), indent=2))
        return
    _print_plan(plan, show_all=show_all)
    console.print(f"wrote {root / PLAN_FILE} and {root / CONFLICTS_FILE}", markup=False)
    if plan.changes:
        console.print(f"next: dayone apply {root} --apply", markup=False)


def apply(
    root: Dir = Path("."),
    write: Annotated[
        bool, typer.Option("--apply", help="Write the changes (the default is a dry run).")
    ] = False,
    markers: Annotated[
        bool,
        typer.Option(
            "--markers",
            help="Write git-style conflict markers into conflicted files instead "
            "of <path>.new beside them.",
        ),
    ] = False,
    allow_destructive: Annotated[
        bool,
        typer.Option("--allow-destructive", help="Allow migrations that drop tables or columns."),
    ] = False,
    resume: Annotated[
        bool, typer.Option("--resume", help="Finish an apply that was interrupted.")
    ] = False,
    rollback: Annotated[
        bool, typer.Option("--rollback", help="Undo an apply that was interrupted.")
    ] = False,
) -> None:
    """Apply plan.json: everything safe is written; conflicts are left for you."""
    if resume or rollback:
        outcomes = (transaction.resume if resume else transaction.rollback)(root.absolute())
        refused = [o for o in outcomes if o.status == "refused"]
        verb = "resumed" if resume else "rolled back"
        console.print(f"{verb}: {len(outcomes) - len(refused)} files", markup=False)
        for outcome in refused:
            console.print(f"  refused {outcome.path}: {outcome.reason}", markup=False)
        raise typer.Exit(1 if refused else 0)
    regeneration, stored = Regeneration.from_plan_file(root)
    options = Options(markers=markers, allow_destructive=allow_destructive)
    if not write:
        _print_plan(regeneration.plan, show_all=False)
        console.print("dry run: nothing written; add --apply to write.", markup=False)
        return
    result = regeneration.apply(stored, options)
    _print_report(result)
    raise typer.Exit(result.exit_code)


def check(root: Dir = Path("."), as_json: JsonFlag = False) -> None:
    """Exit 0 when the project is in sync with its spec and Day One, 1 on drift."""
    plan = Regeneration(root).plan
    drift = plan.changes
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "in_sync": not drift,
                    "summary": plan.summary,
                    "drift": [
                        {"path": a.path, "action": a.kind.value, "reason": a.reason} for a in drift
                    ],
                },
                indent=2,
            )
        )
    elif drift:
        console.print(f"[red]out of sync[/]: {len(drift)} files would change", markup=True)
        for action in drift:
            console.print(f"  {action.kind.value:<9} {action.path}", markup=False)
        console.print(f"run: dayone plan {root}", markup=False)
    else:
        console.print("[green]in sync[/] with dayone.yaml and this Day One")
    raise typer.Exit(1 if drift else 0)


def diff(root: Dir = Path(".")) -> None:
    """Print a unified diff of every change the plan would make."""
    regeneration = Regeneration(root)
    for action in regeneration.plan.changes:
        before = regeneration.disk.files.get(action.source or action.path, b"")
        after = action.content if action.content is not None else action.theirs or b""
        if action.kind is ActionKind.DELETE:
            after = b""
        label = f"{action.kind.value}: {action.reason}"
        text = "".join(
            difflib.unified_diff(
                before.decode("utf-8", "replace").splitlines(keepends=True),
                after.decode("utf-8", "replace").splitlines(keepends=True),
                fromfile=f"a/{action.source or action.path}",
                tofile=f"b/{action.path}"
                + ("" if action.kind is not ActionKind.CONFLICT else " (template's version)"),
            )
        )
        header = f"# {action.path}  ({label})"
        if console.is_terminal:
            from rich.syntax import Syntax

            console.print(header, markup=False, style="bold")
            if text:
                console.print(Syntax(text, "diff", theme="ansi_dark", background_color="default"))
        else:  # piped: plain text, never wrapped
            typer.echo(header)
            typer.echo(text, nl=False)


def adopt_command(
    root: Dir = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Replace an existing baseline.")] = False,
) -> None:
    """Start tracking a project that has no baseline (e.g. generated before Day One tracked one)."""
    count = adopt(root, force=force)
    console.print(
        f"recorded a baseline of {count} files; differences on disk now count as your edits",
        markup=False,
    )


def resolve_command(
    root: Dir,
    paths: Annotated[list[str], typer.Argument(help="Conflicted paths you have merged by hand.")],
) -> None:
    """Mark conflicts resolved once you have merged the template's changes by hand."""
    for rel in resolve(root, paths):
        console.print(f"resolved {rel}", markup=False)


def _print_plan(plan: Plan, *, show_all: bool) -> None:
    shown = plan.actions if show_all else plan.changes
    if shown:
        from rich.table import Table

        table = Table(show_header=True, header_style="bold", box=None)
        table.add_column("action")
        table.add_column("path")
        table.add_column("why")
        for action in shown:
            table.add_row(_word(action), _path(action), action.reason)
        console.print(table)
    counts = ", ".join(f"{n} {kind}" for kind, n in plan.summary.items() if n)
    console.print(f"{len(plan.actions)} files: {counts}", markup=False)
    for warning in plan.warnings:
        console.print(f"[yellow]warning:[/] {warning}")
    if plan.destructive:
        console.print("[yellow]this plan drops data; applying it needs --allow-destructive[/]")


def _word(action: Action) -> str:
    return f"[{_STYLE[action.kind]}]{action.kind.value}[/]"


def _path(action: Action) -> str:
    return f"{action.source} -> {action.path}" if action.source else action.path


def _print_report(result: Report) -> None:
    for action in result.applied:
        console.print(f"{_word(action)} {_path(action)}")
    for action, written in result.conflicts:
        where = "left as it is" if written == "left in place" else f"wrote {written}"
        console.print(f"{_word(action)} {action.path}: {action.reason}; {where}")
    for path, reason in result.refused:
        console.print(f"[red]refused[/] {path}: {reason}")
    console.print(
        f"{len(result.applied)} applied, {len(result.conflicts)} conflicts, "
        f"{len(result.refused)} refused",
        markup=False,
    )
