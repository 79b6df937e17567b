"""Every clean merge of a Python file compiles (issue 12, item 3).

A user re-indented a generated module with tabs or two spaces; the line
merge took the template's new four-space line and called the result clean,
and the module raised IndentationError. Now the template's side is
re-indented to the file's style when that is unambiguous, and a merge whose
result still does not compile is a conflict.
"""

from __future__ import annotations

import pytest

from generator.merge import merge_file
from generator.plan.classify import Inputs, classify

BASE = '''"""Service."""


def handler(request):
    if request:
        value = 1
        return value
    return None


class Service:
    name = "svc"

    def run(self):
        return "ok"
'''
# The template adds a line inside two indented blocks.
THEIRS = BASE.replace("        value = 1\n", "        value = 1\n        audit(value)\n").replace(
    '        return "ok"\n', '        log("run")\n        return "ok"\n'
)


def restyle(text: str, unit: str) -> str:
    lines = []
    for line in text.splitlines(keepends=True):
        stripped = line.lstrip(" ")
        depth = (len(line) - len(stripped)) // 4
        lines.append(unit * depth + stripped)
    return "".join(lines)


def compiles(text: str) -> bool:
    try:
        compile(text, "merged.py", "exec", dont_inherit=True)
    except SyntaxError:
        return False
    return True


@pytest.mark.parametrize("unit", ["\t", "  ", "        "])
def test_the_templates_lines_take_the_files_indentation(unit: str) -> None:
    ours = restyle(BASE, unit) + "\n\nMINE = 1\n"
    result = merge_file("app/service.py", BASE, ours, THEIRS)
    assert result.clean
    assert result.text() == restyle(THEIRS, unit) + "\n\nMINE = 1\n"


def test_crlf_and_tabs_together() -> None:
    base, theirs = BASE.replace("\n", "\r\n"), THEIRS.replace("\n", "\r\n")
    ours = restyle(BASE, "\t").replace("\n", "\r\n")
    result = merge_file("app/service.py", base, ours, theirs)
    assert result.clean
    assert result.text() == restyle(THEIRS, "\t").replace("\n", "\r\n")


def test_a_clean_line_merge_that_does_not_compile_is_a_conflict() -> None:
    # Tabs in one block, two spaces in another: no single style to re-indent
    # to, and the template's new first line of the function keeps four spaces.
    handler = BASE[BASE.index("def handler") : BASE.index("class Service")]
    service = BASE[BASE.index("class Service") :]
    ours = BASE.replace(handler, restyle(handler, "\t")).replace(service, restyle(service, "  "))
    theirs = BASE.replace("def handler(request):\n", "def handler(request):\n    check(request)\n")
    assert compiles(ours) and compiles(theirs)
    result = merge_file("app/service.py", BASE, ours, theirs)
    assert not result.clean
    (conflict,) = result.conflicts
    assert conflict.kind == "python-syntax"
    assert conflict.name == "TabError, line 6"
    assert conflict.ours == tuple(ours.splitlines(keepends=True))
    assert conflict.theirs == tuple(theirs.splitlines(keepends=True))


def test_a_byte_order_mark_does_not_make_a_merge_fail() -> None:
    result = merge_file(
        "app/service.py", "\ufeff" + BASE, "\ufeff" + BASE + "X = 1\n", "\ufeff" + THEIRS
    )
    assert result.clean
    assert result.text() == "\ufeff" + THEIRS + "X = 1\n"


def test_a_managed_region_body_takes_the_files_indentation() -> None:
    base = (
        "def routes(app):\n    # dayone:begin routers\n    app.add(a)\n    # dayone:end routers\n"
    )
    theirs = base.replace("    app.add(a)\n", "    app.add(a)\n    app.add(b)\n")
    ours = restyle(base, "\t") + "\n\nMINE = 1\n"
    result = merge_file("app/routes.py", base, ours, theirs)
    assert result.clean
    assert compiles(result.text())
    assert "\tapp.add(b)\n" in result.text()


def test_multi_line_strings_are_not_re_indented() -> None:
    base = 'def f():\n    sql = """\n    SELECT 1\n    """\n    return sql\n'
    theirs = base.replace("    return sql\n", "    run(sql)\n    return sql\n")
    ours = base.replace("    sql =", "\tsql =").replace("    return sql", "\treturn sql")
    result = merge_file("app/q.py", base, ours, theirs)
    assert result.clean
    assert (
        result.text() == 'def f():\n\tsql = """\n    SELECT 1\n    """\n\trun(sql)\n\treturn sql\n'
    )


def test_a_file_the_template_itself_renders_broken_is_merged_as_text() -> None:
    # Only results the template's own version would compile are held to it.
    base = "{{ placeholder }}\nx = 1\n"
    theirs = base + "y = 2\n"
    ours = "z = 0\n" + base
    result = merge_file("app/tmpl.py", base, ours, theirs)
    assert result.clean
    assert result.text() == "z = 0\n{{ placeholder }}\nx = 1\ny = 2\n"


def test_every_clean_python_merge_compiles_with_a_user_syntax_error() -> None:
    # The user's file does not compile; the template's change cannot be
    # called merged into it.
    ours = BASE.replace("def handler(request):", "def handler(request:")
    result = merge_file("app/service.py", BASE, ours, THEIRS)
    assert not result.clean


def test_the_plan_says_why_a_clean_looking_merge_is_a_conflict() -> None:
    handler = BASE[BASE.index("def handler") : BASE.index("class Service")]
    service = BASE[BASE.index("class Service") :]
    ours = BASE.replace(handler, restyle(handler, "\t")).replace(service, restyle(service, "  "))
    theirs = BASE.replace("def handler(request):\n", "def handler(request):\n    check(request)\n")
    path = "backend/app/service.py"
    inputs = Inputs(
        baseline={path: BASE.encode()}, disk={path: ours.encode()}, new={path: theirs.encode()}
    )
    (action,) = classify(inputs)
    assert action.kind.value == "conflict"
    assert action.conflict_kind is not None and action.conflict_kind.value == "content"
    assert "does not compile (TabError, line 6)" in action.reason
    assert action.content is None
    assert [hunk.kind for hunk in action.hunks] == ["python-syntax"]
