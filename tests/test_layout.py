"""The package's layout holds: stages import no other stage, modules stay small, and HTML is
built in templates rather than in Python f-strings."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from highneeds.paths import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "src" / "highneeds"
STAGES = ("gate", "model", "paper")
SUBPACKAGES = (*STAGES, "runner")
#: What each part of the package may import of the package's own subpackages.
ALLOWED = {
    "gate": set(),
    "model": set(),
    "paper": set(),
    "runner": set(STAGES),
    "": {"runner"},  # top level: cli reaches the runner; paths, errors, ... nothing
}
_HTML_TAG = re.compile(r"<[a-zA-Z!/][a-zA-Z0-9-]*[\s>/]")


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _part(path: Path) -> str:
    relative = path.relative_to(PACKAGE).parts
    return relative[0] if len(relative) > 1 else ""


def _imported_subpackages(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
            if node.module == "highneeds":
                names += [f"highneeds.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "highneeds" and len(parts) > 1 and parts[1] in SUBPACKAGES:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_stages_import_only_what_is_upstream_of_them(path: Path) -> None:
    part = _part(path)
    imported = _imported_subpackages(path) - {part}
    assert imported <= ALLOWED[part], (
        f"{path.relative_to(PACKAGE)} ({part or 'top level'}) imports {sorted(imported)}; "
        f"it may import {sorted(ALLOWED[part]) or 'no other subpackage'}"
    )


def test_the_import_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "probe.py"
    module.write_text("from highneeds.model.deficit import roll_forward\nimport highneeds.paper\n")
    assert _imported_subpackages(module) == {"model", "paper"}


def test_no_module_is_over_450_lines() -> None:
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 450
    }
    assert not long


def test_each_subpackage_says_what_it_takes_and_gives() -> None:
    for name in SUBPACKAGES:
        docstring = ast.get_docstring(ast.parse((PACKAGE / name / "__init__.py").read_text()))
        assert docstring and "takes" in docstring and "gives" in docstring, name


def _html_in_f_strings(source: str) -> list[int]:
    lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.JoinedStr):
            text = "".join(
                part.value
                for part in node.values
                if isinstance(part, ast.Constant) and isinstance(part.value, str)
            )
            if _HTML_TAG.search(text):
                lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return sorted(lines)


def test_fewer_than_ten_lines_of_html_remain_in_f_strings() -> None:
    found = {
        str(p.relative_to(PACKAGE)): lines
        for p in _modules()
        if (lines := _html_in_f_strings(p.read_text(encoding="utf-8")))
    }
    assert sum(len(lines) for lines in found.values()) < 10, found


def test_the_f_string_check_sees_html() -> None:
    assert _html_in_f_strings('x = 1\nhtml = f"<td class=\\"num\\">{x}</td>"\n') == [2]
    assert _html_in_f_strings('x = 1\ntext = f"{x} < 2 and a -> b"\n') == []
