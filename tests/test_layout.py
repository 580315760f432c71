"""The package's layout holds: stages import no other stage, modules stay small, and HTML is
built in templates rather than in Python f-strings."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from highneeds.common.paths import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "src" / "highneeds"
STAGES = ("gate", "model", "paper")
#: Below the stages: what every stage shares (common: errors, paths, ...; domain: amounts,
#: categories, the figure registry, traced figures).
SHARED = ("common", "domain")
SUBPACKAGES = (*SHARED, *STAGES, "runner")
#: What each part of the package may import of the package's own subpackages.
ALLOWED = {
    "common": set(),
    "domain": {"common"},
    "gate": set(SHARED),
    "model": set(SHARED),
    "paper": set(SHARED),
    "runner": {*STAGES, *SHARED},
    "": {"runner", *SHARED},  # top level: the command line
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
    module.write_text(
        "from highneeds.model.forecast.deficit import roll_forward\nimport highneeds.paper\n"
    )
    assert _imported_subpackages(module) == {"model", "paper"}


#: The rooms of the runner and of the paper, lowest first: a room imports only the rooms
#: below it of its own subpackage (the notebooks included).
ROOMS = {
    "gate": ("read", "tables", "checks"),
    "model": ("basis", "forecast", "certainty", "wiring"),
    "paper": ("text", "charts", "content", "formats"),
    "runner": ("ops", "archive", "execute", "changes", "preview", "commands"),
}


def _rooms_imported(source: str, package: str) -> set[str]:
    """The rooms of ``package`` (runner, paper) that ``source`` (Python) imports from."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        modules = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for module in modules:
            parts = module.split(".")
            if parts[:2] == ["highneeds", package] and parts[2:3] and parts[2] in ROOMS[package]:
                found.add(parts[2])
    return found


def _notebook_code(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


@pytest.mark.parametrize("package", sorted(ROOMS))
def test_the_rooms_import_one_way(package: str) -> None:
    """Each subpackage's rooms, lowest first (:data:`ROOMS`). The notebooks reach the
    runner's execute and below."""
    rooms = ROOMS[package]
    wrong = []
    for room in rooms:
        allowed = set(rooms[: rooms.index(room) + 1])
        for path in sorted((PACKAGE / package / room).glob("*.py")):
            above = _rooms_imported(path.read_text(encoding="utf-8"), package) - allowed
            if above:
                wrong.append(f"{package}/{room}/{path.name} imports {sorted(above)}")
    if package == "runner":
        for notebook in sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb")):
            above = _rooms_imported(_notebook_code(notebook), package) - set(rooms[:3])
            if above:
                wrong.append(f"notebooks/{notebook.name} imports {sorted(above)}")
    assert not wrong


@pytest.mark.parametrize("package", sorted(ROOMS))
def test_no_module_outside_the_rooms_and_no_room_over_12(package: str) -> None:
    folder = PACKAGE / package
    assert sorted(p.name for p in folder.glob("*.py")) == ["__init__.py"]
    folders = {p.name for p in folder.iterdir() if p.is_dir() and p.name[0] != "_"}
    assert folders - {"templates"} == set(ROOMS[package])
    sizes = {room: len(list((folder / room).glob("*.py"))) - 1 for room in ROOMS[package]}
    assert max(sizes.values()) <= 12, sizes


def test_no_folder_of_the_package_holds_more_than_12_modules() -> None:
    folders = {path.parent for path in _modules()}
    sizes = {str(f.relative_to(PACKAGE)): len(list(f.glob("*.py"))) - 1 for f in folders}
    assert max(sizes.values()) <= 12, {f: n for f, n in sizes.items() if n > 12}
    assert sorted(p.name for p in PACKAGE.glob("*.py")) == [
        "__init__.py",
        "cli.py",
        "cli_arguments.py",
    ]


def test_the_room_check_sees_an_import_from_above() -> None:
    source = "from highneeds.runner.commands.cycle import run_cycle\nimport highneeds.paper.formats"
    assert _rooms_imported(source, "runner") == {"commands"}
    assert _rooms_imported(source, "paper") == {"formats"}


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
