"""The package's layout holds: stages import no other stage, modules stay small, and HTML is
built in templates rather than in Python f-strings."""

from __future__ import annotations

import ast
import json
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


#: The runner's rooms, lowest first: a room imports only rooms below it (notebooks included).
RUNNER_ROOMS = ("ops", "archive", "execute", "changes", "preview", "commands")


def _runner_rooms_imported(source: str) -> set[str]:
    """The rooms of the runner that ``source`` (Python) imports from."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        modules = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for module in modules:
            parts = module.split(".")
            if parts[:2] == ["highneeds", "runner"] and len(parts) > 2 and parts[2] in RUNNER_ROOMS:
                found.add(parts[2])
    return found


def _notebook_code(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def test_the_runners_rooms_import_one_way() -> None:
    """ops < archive < execute < changes < preview < commands, and the notebooks reach only
    what a step needs (execute and below)."""
    wrong = []
    for room in RUNNER_ROOMS:
        allowed = set(RUNNER_ROOMS[: RUNNER_ROOMS.index(room) + 1])
        for path in sorted((PACKAGE / "runner" / room).glob("*.py")):
            above = _runner_rooms_imported(path.read_text(encoding="utf-8")) - allowed
            if above:
                wrong.append(f"runner/{room}/{path.name} imports {sorted(above)}")
    for notebook in sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb")):
        above = _runner_rooms_imported(_notebook_code(notebook)) - {
            "ops",
            "archive",
            "execute",
        }
        if above:
            wrong.append(f"notebooks/{notebook.name} imports {sorted(above)}")
    assert not wrong


def test_the_runner_has_no_module_outside_its_rooms_and_no_room_over_12() -> None:
    runner = PACKAGE / "runner"
    assert sorted(p.name for p in runner.glob("*.py")) == ["__init__.py"]
    assert sorted(p.name for p in runner.iterdir() if p.is_dir() and p.name[0] != "_") == sorted(
        [*RUNNER_ROOMS, "templates"]
    )
    sizes = {room: len(list((runner / room).glob("*.py"))) - 1 for room in RUNNER_ROOMS}
    assert max(sizes.values()) <= 12, sizes


def test_the_room_check_sees_an_import_from_above() -> None:
    assert _runner_rooms_imported("from highneeds.runner.commands.cycle import run_cycle") == {
        "commands"
    }


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


def test_the_architecture_pages_module_list_is_the_code_s() -> None:
    """docs/architecture.md lists every module, from its docstring (made by
    ``python scripts/module_index.py --write``): none missing, none that is gone."""
    import runpy

    script = runpy.run_path(str(PROJECT_ROOT / "scripts" / "module_index.py"))
    page = (PROJECT_ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert script["page_with_index"](page) == page, "run: python scripts/module_index.py --write"
