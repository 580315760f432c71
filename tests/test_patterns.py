"""No pattern of the package backtracks over author text without bound: no lazy quantifier
(``.*?``, ``+?``, ``{m,n}?``) anywhere, in a compiled pattern or an inline one. (That the
narrative's handling is linear in its size is measured by ``benchmarks/narrative.py``.)"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import highneeds

try:
    from re import _parser as sre_parse  # Python 3.11+
except ImportError:  # pragma: no cover
    import sre_parse  # type: ignore[no-redef]

SRC = Path(highneeds.__file__).parent


def _lazy(pattern: str | bytes, flags: int = 0) -> bool:
    """Whether a pattern holds a lazy (minimal) repeat anywhere, nested ones included."""

    def walk(items) -> bool:
        for op, value in items:
            if op == sre_parse.MIN_REPEAT:
                return True
            for part in value if isinstance(value, list | tuple) else ():
                if isinstance(part, sre_parse.SubPattern) and walk(part):
                    return True
                if isinstance(part, list | tuple) and any(
                    isinstance(p, sre_parse.SubPattern) and walk(p) for p in part
                ):
                    return True
        return False

    return walk(sre_parse.parse(pattern, flags))


def test_the_detector_finds_a_lazy_repeat() -> None:
    assert _lazy(r"\{\{\s*(.*?)\s*\}\}")
    assert _lazy(r"(?:a|b+?)c")
    assert not _lazy(r"\{\{([^}]*)\}\}")


def test_no_compiled_pattern_of_the_package_is_lazy() -> None:
    found = []
    for module in pkgutil.walk_packages(highneeds.__path__, "highneeds."):
        loaded = importlib.import_module(module.name)
        for name, value in vars(loaded).items():
            if isinstance(value, re.Pattern) and _lazy(value.pattern, value.flags):
                found.append(f"{module.name}.{name}: {value.pattern}")
    assert found == []


def test_no_inline_pattern_in_the_source_is_lazy() -> None:
    """A pattern written straight into a call (``re.sub(r"...", ...)``) is no module global:
    the source is read for any ``*?``, ``+?`` or ``}?`` inside a string."""
    lazy = re.compile(r"""[rRbB]?(["'])(?:(?!\1).)*[*+}]\?(?:(?!\1).)*\1""")
    found = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path in sorted(SRC.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "re." in line and lazy.search(line)
    ]
    assert found == []
