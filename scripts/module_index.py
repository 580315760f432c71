"""The list of every module of the package, from each module's own docstring, as
docs/architecture.md holds it between its ``modules`` markers.

    python scripts/module_index.py          # print the list
    python scripts/module_index.py --write  # put it into docs/architecture.md

``tests/test_layout.py`` fails when the page's list is not this one (a module added, moved or
removed, or its docstring's first sentence changed)."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "highneeds"
PAGE = ROOT / "docs" / "architecture.md"
START, END = "<!-- modules: made by scripts/module_index.py -->", "<!-- /modules -->"


def first_sentence(path: Path) -> str:
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    text = " ".join(docstring.split())
    found = re.match(r"(.+?\.)(\s|$)", text)
    return found.group(1) if found else text


def module_index() -> str:
    lines = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "__init__.py" and path.parent == PACKAGE:
            continue
        name = path.relative_to(PACKAGE).as_posix()
        lines.append(f"- `{name}`: {first_sentence(path)}")
    return "\n".join(lines)


def page_with_index(page: str) -> str:
    before, rest = page.split(START, 1)
    _, after = rest.split(END, 1)
    return f"{before}{START}\n{module_index()}\n{END}{after}"


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        PAGE.write_text(page_with_index(PAGE.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        print(module_index())
