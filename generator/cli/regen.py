"""Commands that regenerate an existing project: plan, apply, check, diff, adopt."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Annotated

import typer

from generator.apply import transaction
from generator.apply.regenerate import Options, Report
from generator.cli.output import on_terminal, rich_console, say, styled, warn_unpinned
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
    from generator.provenance import detect

    plan = Regeneration(root, restore=restore).write_plan()
    warn_unpinned(detect())
    if as_json:
        say(json.dumps(plan.to_json(), indent=2))
        return
    _print_plan(plan, show_all=show_all)
    say(f"wrote {root / PLAN_FILE} and {root / CONFLICTS_FILE}")
    if plan.changes:
        say(f"next: dayone apply {root} --apply")


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
        say(f"{verb}: {len(outcomes) - len(refused)} files")
        for outcome in refused:
            say(f"  refused {outcome.path}: {outcome.reason}")
        raise typer.Exit(1 if refused else 0)
    from generator.provenance import detect

    regeneration, stored = Regeneration.from_plan_file(root, source=detect())
    options = Options(markers=markers, allow_destructive=allow_destructive)
    if not write:
        _print_plan(regeneration.plan, show_all=False)
        say("dry run: nothing written; add --apply to write.")
        return
    result = regeneration.apply(stored, options)
    _print_report(result)
    raise typer.Exit(result.exit_code)


def check(root: Dir = Path("."), as_json: JsonFlag = False) -> None:
    """Exit 0 when the project is in sync with its spec and Day One, 1 on drift."""
    plan = Regeneration(root).plan
    drift = plan.changes
    if as_json:
        say(
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
        say(f"{styled('out of sync', 'red')}: {len(drift)} files would change")
        for action in drift:
            say(f"  {action.kind.value:<9} {action.path}")
        say(f"run: dayone plan {root}")
    else:
        say(f"{styled('in sync', 'green')} with dayone.yaml and this Day One")
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
        if on_terminal():
            from rich.syntax import Syntax

            console = rich_console()
            console.print(header, markup=False, style="bold")
            if text:
                console.print(Syntax(text, "diff", theme="ansi_dark", background_color="default"))
        else:  # piped: plain text, never wrapped
            say(header)
            typer.echo(text, nl=False)


def adopt_command(
    root: Dir = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Replace an existing baseline.")] = False,
) -> None:
    """Start tracking a project that has no baseline (e.g. generated before Day One tracked one)."""
    from generator.provenance import detect

    source = detect()
    count = adopt(root, force=force, source=source)
    say(f"recorded a baseline of {count} files; differences on disk now count as your edits")
    warn_unpinned(source)


def resolve_command(
    root: Dir,
    paths: Annotated[list[str], typer.Argument(help="Conflicted paths you have merged by hand.")],
) -> None:
    """Mark conflicts resolved once you have merged the template's changes by hand."""
    for rel in resolve(root, paths):
        say(f"resolved {rel}")


def _print_plan(plan: Plan, *, show_all: bool) -> None:
    shown = plan.actions if show_all else plan.changes
    if shown and on_terminal():
        _print_table(shown)
    elif shown:  # piped: aligned columns, one line per file, never wrapped
        rows = [("action", "path", "why")] + [(a.kind.value, _path(a), a.reason) for a in shown]
        kind_width = max(len(row[0]) for row in rows)
        path_width = max(len(row[1]) for row in rows)
        for kind, path, why in rows:
            say(f"{kind:<{kind_width}}  {path:<{path_width}}  {why}".rstrip())
    counts = ", ".join(f"{n} {kind}" for kind, n in plan.summary.items() if n)
    say(f"{len(plan.actions)} files: {counts}")
    for warning in plan.warnings:
        say(f"{styled('warning:', 'yellow')} {warning}")
    if plan.destructive:
        say(styled("this plan drops data; applying it needs --allow-destructive", "yellow"))


def _print_table(actions: list[Action]) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(show_header=True, header_style="bold", box=None)
    table.add_column("action")
    table.add_column("path")
    table.add_column("why")
    for action in actions:
        word = Text(action.kind.value, style=_STYLE[action.kind])
        table.add_row(word, Text(_path(action)), Text(action.reason))  # Text: no markup
    rich_console().print(table)


def _word(action: Action) -> str:
    return styled(action.kind.value, _STYLE[action.kind])


def _path(action: Action) -> str:
    return f"{action.source} -> {action.path}" if action.source else action.path


def _print_report(result: Report) -> None:
    for action in result.applied:
        say(f"{_word(action)} {_path(action)}")
    for action, written in result.conflicts:
        where = "left as it is" if written == "left in place" else f"wrote {written}"
        say(f"{_word(action)} {action.path}: {action.reason}; {where}")
    for path, reason in result.refused:
        say(f"{styled('refused', 'red')} {path}: {reason}")
    for note in result.notes:
        say(note)
    say(
        f"{len(result.applied)} applied, {len(result.conflicts)} conflicts, "
        f"{len(result.refused)} refused"
    )
