"""Three-way merge of Python modules that understands top-level statements.

Line merges conflict whenever both sides touch neighbouring lines, which in
Python happens all the time for reasons that do not matter: both sides add an
import to the same block, or a function after the same function. When the
text merge conflicts, the module is merged statement by statement instead:
every top-level statement gets a key (its imported name, its definition name,
its condition, or else its code), and each key is merged on its own. Anything
both sides changed differently still goes back to the user as a conflict.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Sequence
from itertools import takewhile

import libcst as cst
from msgspec import Struct
from msgspec.structs import replace

from generator.merge.text import Conflict, MergeResult, merge3
from generator.toolchain import FormatError, ruff_format

# (kind, identity, occurrence): occurrence tells apart repeated statements.
_Key = tuple[str, str, int]
# (module with leading dots, or None for ``import x``; imported name; asname)
_ImportKey = tuple[str | None, str, str | None]
_Import = cst.Import | cst.ImportFrom


class _GiveUp(Exception):
    """The structural merge needs a decision only the user can make."""


class _Statement(Struct, frozen=True):
    """A top-level statement with its leading comments and decorators."""

    node: cst.SimpleStatementLine | cst.BaseCompoundStatement
    content: str  # its code minus leading blank lines: what "changed" compares
    key: _Key | None  # None for imports, which merge name by name
    imports: tuple[_ImportKey, ...]
    label: str | None  # the defined name, for reporting conflicts
    start: int  # 0-based line span in the module, leading comments included
    end: int


class _Module(Struct, frozen=True):
    tree: cst.Module
    header: str
    footer: str
    statements: tuple[_Statement, ...]

    def by_key(self) -> dict[_Key, _Statement]:
        return {s.key: s for s in self.statements if s.key is not None}

    def imported(self) -> set[_ImportKey]:
        return {name for s in self.statements for name in s.imports}


def _normalised(code: str, mode: str = "exec") -> str:
    """Code compared by meaning, so that reformatting does not change a key."""
    try:
        return ast.dump(ast.parse(code.strip(), mode=mode))
    except SyntaxError:  # libcst accepts a little that ast does not
        return " ".join(code.split())


def _import_of(node: cst.BaseStatement) -> _Import | None:
    if isinstance(node, cst.SimpleStatementLine) and len(node.body) == 1:
        statement = node.body[0]
        if isinstance(statement, cst.Import | cst.ImportFrom):
            return statement
    return None


def _import_keys(tree: cst.Module, statement: _Import) -> tuple[_ImportKey, ...]:
    if isinstance(statement, cst.Import):
        return tuple((None, *_alias_key(tree, alias)) for alias in statement.names)
    module = "." * len(statement.relative)
    if statement.module is not None:
        module += tree.code_for_node(statement.module)
    if isinstance(statement.names, cst.ImportStar):
        return ((module, "*", None),)
    return tuple((module, *_alias_key(tree, alias)) for alias in statement.names)


def _alias_key(tree: cst.Module, alias: cst.ImportAlias) -> tuple[str, str | None]:
    asname = None if alias.asname is None else tree.code_for_node(alias.asname.name)
    return tree.code_for_node(alias.name), asname


def _identity(
    tree: cst.Module, node: cst.SimpleStatementLine | cst.BaseCompoundStatement, first: bool
) -> tuple[str, str, str | None]:
    """``(kind, identity, label)`` of a statement other than an import.

    Compound statements are keyed by their header so that editing the body
    of, say, ``if __name__ == "__main__":`` is a change, not a new block.
    """
    if isinstance(node, cst.FunctionDef | cst.ClassDef):
        return "def", node.name.value, node.name.value
    if isinstance(node, cst.If | cst.While):
        return type(node).__name__, _normalised(tree.code_for_node(node.test), "eval"), None
    if isinstance(node, cst.For):
        header = f"{tree.code_for_node(node.target)} in {tree.code_for_node(node.iter)}"
        return "for", _normalised(header, "eval"), None
    if isinstance(node, cst.With):
        items = ", ".join(tree.code_for_node(item.item) for item in node.items)
        return "with", _normalised(items, "eval"), None
    if isinstance(node, cst.Try | cst.TryStar):
        return "try", "", None
    if isinstance(node, cst.SimpleStatementLine) and len(node.body) == 1:
        statement = node.body[0]
        if (
            first
            and isinstance(statement, cst.Expr)
            and isinstance(statement.value, cst.BaseString)
        ):
            return "docstring", "", None
        call = _call_identity(tree, statement)
        if call is not None:
            return "call", call, None
        targets: list[str] = []
        if isinstance(statement, cst.Assign):
            targets = [tree.code_for_node(target.target) for target in statement.targets]
        elif isinstance(statement, cst.AnnAssign):
            targets = [tree.code_for_node(statement.target)]
        if targets:
            label = " = ".join(target.strip() for target in targets)
            return "assign", label, label
    return "code", _normalised(tree.code_for_node(node.with_changes(leading_lines=()))), None


def _call_identity(tree: cst.Module, statement: cst.BaseSmallStatement) -> str | None:
    """``callee(first positional argument)`` of a call made for its effect.

    Registrations (``app.include_router(x.router, ...)``,
    ``app.add_middleware(A, ...)``) are edited in their other arguments; keyed
    by their code, an edit on each side would make two different statements,
    and both would be kept.
    """
    if not isinstance(statement, cst.Expr):
        return None
    call = statement.value
    if isinstance(call, cst.Await):
        call = call.expression
    if not isinstance(call, cst.Call):
        return None
    first = next((arg for arg in call.args if arg.keyword is None and not arg.star), None)
    target = "" if first is None else _normalised(tree.code_for_node(first.value), "eval")
    return f"{_normalised(tree.code_for_node(call.func), 'eval')}({target})"


def _read(source: str) -> _Module:
    """Parse ``source`` into keyed statements; raises ``cst.ParserSyntaxError``."""
    tree = cst.parse_module(source)
    header = "".join(tree.code_for_node(line) for line in tree.header)
    line = header.count("\n")
    occurrences: Counter[tuple[str, str]] = Counter()
    statements = []
    for index, node in enumerate(tree.body):
        code = tree.code_for_node(node)
        comments = [empty for empty in node.leading_lines if empty.comment is not None]
        content = tree.code_for_node(node.with_changes(leading_lines=comments))
        statement = _import_of(node)
        key, imports, label = None, _import_keys(tree, statement) if statement else (), None
        if statement is None:
            kind, identity, label = _identity(tree, node, first=index == 0)
            key = (kind, identity, occurrences[kind, identity])
            occurrences[kind, identity] += 1
        # Blank lines before a statement separate it; they are not part of it.
        blank = len(list(takewhile(lambda empty: empty.comment is None, node.leading_lines)))
        end = line + code.count("\n")
        statements.append(_Statement(node, content, key, imports, label, line + blank, end))
        line = end
    footer = "".join(tree.code_for_node(empty) for empty in tree.footer)
    return _Module(tree, header, footer, tuple(statements))


def _pick(base: _Statement | None, ours: _Statement | None, theirs: _Statement | None) -> bool:
    """Whether THEIRS' version of a statement wins over OURS' (``None`` = absent)."""
    old, mine, new = (None if s is None else s.content for s in (base, ours, theirs))
    if mine == new or new == old:
        return False
    if mine == old:
        return True
    raise _GiveUp


def _merge_piece(base: str, ours: str, theirs: str) -> str:
    result = merge3(base, ours, theirs)
    if not result.clean:
        raise _GiveUp
    return result.text()


class _Entry(Struct):
    """A statement of the merged module, rendered by the module it came from."""

    node: cst.SimpleStatementLine | cst.BaseCompoundStatement
    tree: cst.Module
    key: _Key | None
    imports: set[_ImportKey]

    @property
    def preamble(self) -> bool:
        """Statements that must stay first: the docstring and ``__future__`` imports."""
        if self.key is not None:
            return self.key[0] == "docstring"
        return bool(self.imports) and all(name[0] == "__future__" for name in self.imports)


def _import_line(statement: _Statement) -> tuple[cst.SimpleStatementLine, _Import]:
    node, imported = statement.node, _import_of(statement.node)
    assert isinstance(node, cst.SimpleStatementLine) and imported is not None
    return node, imported


def _with_aliases(
    node: cst.SimpleStatementLine, aliases: Sequence[cst.ImportAlias], *, combine: bool = False
) -> cst.SimpleStatementLine:
    """``node``'s import statement with ``aliases`` instead of its own.

    Commas are fixed so the result is valid whichever statements the aliases
    came from. When aliases from two statements are combined, parentheses
    are added so that line breaks among them stay legal (the formatter removes them
    again when everything fits on one line).
    """
    statement = _import_of(node)
    assert statement is not None and not isinstance(statement.names, cst.ImportStar)
    names = list(aliases)
    for index, alias in enumerate(names[:-1]):
        if alias.comma is cst.MaybeSentinel.DEFAULT:
            comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            names[index] = alias.with_changes(comma=comma)
    parenthesised = isinstance(statement, cst.ImportFrom) and statement.lpar is not None
    # Keep the statement's own trailing-comma style; without parentheses a
    # trailing comma would be a syntax error.
    trailing = statement.names[-1].comma if parenthesised else cst.MaybeSentinel.DEFAULT
    names[-1] = names[-1].with_changes(comma=trailing)
    changed = statement.with_changes(names=names)
    if combine and isinstance(changed, cst.ImportFrom) and not parenthesised:
        changed = changed.with_changes(lpar=cst.LeftParen(), rpar=cst.RightParen())
    return node.with_changes(body=[changed])


def _keep_names(tree: cst.Module, statement: _Statement, keep: set[_ImportKey]) -> _Entry | None:
    """OURS' import statement minus the names THEIRS removed; ``None`` if none remain."""
    node, imported = _import_line(statement)
    kept = {name for name in statement.imports if name in keep}
    if kept == set(statement.imports):
        return _Entry(node, tree, None, kept)
    if not kept:
        if any(empty.comment is not None for empty in node.leading_lines):
            raise _GiveUp  # the comments above it may be the user's
        return None
    assert not isinstance(imported.names, cst.ImportStar)  # a star import is a single name
    aliases = []
    for name, alias in zip(statement.imports, imported.names, strict=True):
        if name in kept:
            aliases.append(alias)
        elif "#" in tree.code_for_node(alias):
            raise _GiveUp  # a comment on a removed name
    return _Entry(_with_aliases(node, aliases), tree, None, kept)


def _merge_modules(base: _Module, ours: _Module, theirs: _Module) -> str:
    """The merged module's source; raises ``_GiveUp`` on a real conflict.

    An import THEIRS removed stays when the merged code still uses its name
    (OURS' own code may need it); a definition or assignment that went away
    while the merged code still uses its name is a conflict.
    """
    _refuse_replaced_on_both_sides(base, ours, theirs)
    ours_names = ours.imported()
    keep = {name for name in ours_names if name in theirs.imported() or name not in base.imported()}
    merged = _assemble(base, ours, theirs, keep)
    used = _used_names(merged)
    needed = {name for name in ours_names - keep if _bound_by_import(name) in used}
    if needed:
        merged = _assemble(base, ours, theirs, keep | needed)
    lost = _top_level_names(ours.tree.code) - _top_level_names(merged)
    if lost & used:
        raise _GiveUp
    return merged


def _refuse_replaced_on_both_sides(base: _Module, ours: _Module, theirs: _Module) -> None:
    """A statement gone from both sides, where THEIRS put a new one, is a conflict.

    Statements keyed by their code (an expression, a call with a new first
    argument) get a new key when edited: an edit on each side would otherwise
    keep both versions, and a deletion on one side would hide the other's edit.
    """
    base_keys, ours_keys, theirs_keys = base.by_key(), ours.by_key(), theirs.by_key()
    gone = [key for key in base_keys if key not in ours_keys and key not in theirs_keys]
    if not gone:
        return
    order = [s.key for s in base.statements if s.key is not None]
    position = {key: index for index, key in enumerate(order)}
    keyed = [s.key for s in theirs.statements if s.key is not None]
    before = -1
    for index, key in enumerate(keyed):
        if key in position:
            before = position[key]
            continue
        after = next((position[k] for k in keyed[index + 1 :] if k in position), len(order))
        if any(before < position[g] < after for g in gone):
            raise _GiveUp


def _bound_by_import(name: _ImportKey) -> str:
    module, imported, asname = name
    if asname is not None:
        return asname
    return imported.split(".")[0] if module is None else imported


def _used_names(source: str) -> set[str]:
    return {node.id for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Name)}


def _top_level_names(source: str) -> set[str]:
    """Names bound by the module's top-level definitions, assignments and imports."""
    names: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update(
                (alias.asname or alias.name).split(".")[0]
                for alias in node.names
                if alias.name != "*"
            )
    return names


def _assemble(base: _Module, ours: _Module, theirs: _Module, keep: set[_ImportKey]) -> str:
    """The merged module keeping OURS' imports in ``keep``."""
    header = _merge_piece(base.header, ours.header, theirs.header)
    footer = _merge_piece(base.footer, ours.footer, theirs.footer)
    base_keys, ours_keys, theirs_keys = base.by_key(), ours.by_key(), theirs.by_key()
    take_theirs = {
        key: _pick(base_keys.get(key), ours_keys.get(key), theirs_keys.get(key))
        for key in base_keys.keys() | ours_keys.keys() | theirs_keys.keys()
    }
    ours_names, theirs_names = ours.imported(), theirs.imported()
    fresh = theirs_names - ours_names - base.imported()

    entries: list[_Entry] = []
    for statement in ours.statements:
        if statement.key is None:
            entry = _keep_names(ours.tree, statement, keep)
            if entry is not None:
                entries.append(entry)
        elif take_theirs[statement.key]:
            if statement.key in theirs_keys:
                entries.append(
                    _Entry(theirs_keys[statement.key].node, theirs.tree, statement.key, set())
                )
        else:
            entries.append(_Entry(statement.node, ours.tree, statement.key, set()))
    _insert_theirs(entries, theirs, ours_keys, take_theirs, fresh)
    body = "".join(entry.tree.code_for_node(entry.node) for entry in entries)
    return header + body + footer


def _insert_theirs(
    entries: list[_Entry],
    theirs: _Module,
    ours_keys: dict[_Key, _Statement],
    take_theirs: dict[_Key, bool],
    fresh: set[_ImportKey],
) -> None:
    """Add THEIRS-only statements after the statement preceding them in THEIRS.

    Walks THEIRS in order, keeping ``cursor`` on the merged entry of the last
    statement seen; a statement with nothing before it goes after the
    docstring and ``__future__`` imports.
    """
    cursor = len(list(takewhile(lambda entry: entry.preamble, entries))) - 1
    for statement in theirs.statements:
        if statement.key is not None:
            if statement.key in ours_keys:
                cursor = next(i for i, e in enumerate(entries) if e.key == statement.key)
            elif take_theirs[statement.key]:
                cursor += 1
                entries.insert(cursor, _Entry(statement.node, theirs.tree, statement.key, set()))
            continue
        known = set(statement.imports) - fresh
        cursor = next((i for i, e in enumerate(entries) if e.imports & known), cursor)
        new = [name for name in statement.imports if name in fresh]
        fresh.difference_update(new)
        if new:
            cursor = _add_imports(entries, theirs.tree, statement, new, cursor)


def _add_imports(
    entries: list[_Entry],
    tree: cst.Module,
    statement: _Statement,
    new: list[_ImportKey],
    cursor: int,
) -> int:
    """Add THEIRS' ``new`` names of an import statement; returns the new cursor.

    Names from a module OURS already imports from join that statement
    (``from x import a`` + ``from x import b`` gives ``from x import a, b``);
    the rest become a statement of their own at the cursor.
    """
    node, imported = _import_line(statement)
    if not isinstance(imported.names, cst.ImportStar):
        pairs = zip(statement.imports, imported.names, strict=True)
        chosen = [alias for name, alias in pairs if name in new]
        if isinstance(imported, cst.ImportFrom):
            for index, entry in enumerate(entries):
                target = _import_of(entry.node)
                if (
                    isinstance(entry.node, cst.SimpleStatementLine)
                    and isinstance(target, cst.ImportFrom)
                    and not isinstance(target.names, cst.ImportStar)
                    and any(name[0] == new[0][0] for name in entry.imports)
                ):
                    # THEIRS' aliases are rendered by OURS' module from now
                    # on, which only decides the default newline and indent.
                    combined = [*target.names, *chosen]
                    entry.node = _with_aliases(entry.node, combined, combine=True)
                    entry.imports.update(new)
                    return index
        if len(chosen) < len(statement.imports):
            # Part of the statement is already there; its comments went with it.
            node = _with_aliases(node.with_changes(leading_lines=()), chosen)
    entries.insert(cursor + 1, _Entry(node, tree, None, set(new)))
    return cursor + 1


def _attribute(result: MergeResult, modules: tuple[_Module, _Module, _Module]) -> MergeResult:
    """Name the definition each text conflict sits in, when there is exactly one."""
    base, ours, theirs = modules
    chunks: list[str | Conflict] = []
    for chunk in result.chunks:
        if isinstance(chunk, Conflict):
            label = (
                _label_at(ours, chunk.ours_start, chunk.ours_end)
                or _label_at(theirs, chunk.theirs_start, chunk.theirs_end)
                or _label_at(base, chunk.base_start, chunk.base_end)
            )
            if label is not None:
                chunk = replace(chunk, kind="python-definition", name=label)
        chunks.append(chunk)
    return MergeResult(tuple(chunks))


def _label_at(module: _Module, start: int, end: int) -> str | None:
    """The definition overlapping lines ``[start, end)``, if exactly one does.

    An empty range (that side deleted or did not insert anything) tells
    nothing about which definition is in dispute, so it names none.
    """
    if start == end:
        return None
    hits = [s for s in module.statements if s.start < end and start < s.end]
    return hits[0].label if len(hits) == 1 else None


def structural_merge(
    base: str, ours: str, theirs: str, text_result: MergeResult, line_length: int
) -> MergeResult:
    """Retry a conflicting text merge statement by statement; ``text_result``
    (its conflicts labelled where possible) when that cannot settle it either."""
    try:
        modules = (_read(base), _read(ours), _read(theirs))
    except cst.ParserSyntaxError:
        return text_result
    try:
        merged = _merge_modules(*modules)
        # Pieces may come from files with different line endings: unify them
        # for the formatter, then give the result the user's line ending.
        merged = merged.replace("\r\n", "\n")
        ast.parse(merged)
        formatted = ruff_format({"merged": merged}, line_length)["merged"]
    except (_GiveUp, SyntaxError, FormatError):
        return _attribute(text_result, modules)
    if modules[1].tree.default_newline == "\r\n":
        formatted = formatted.replace("\n", "\r\n")
    return MergeResult((formatted,))
