"""A deferred module is in place but not run until something reads from it; then it is the
real module, whatever way it was imported."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from highneeds.common.deferred_imports import defer_import, defer_imports


@pytest.fixture
def probe_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A package whose modules note in ``ran.txt`` when they run."""
    name = f"deferral_probe_{tmp_path.name.replace('-', '_')}"
    package = tmp_path / name
    package.mkdir()
    ran = tmp_path / "ran.txt"
    note = f"open({str(ran)!r}, 'a').write(__name__ + '\\n')\n"
    (package / "__init__.py").write_text(note)
    (package / "heavy.py").write_text(note + "VALUE = 42\n")
    (tmp_path / f"{name}_top.py").write_text(note + "VALUE = 7\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    for module in [m for m in sys.modules if m.startswith(name)]:
        del sys.modules[module]


def ran(package: str) -> list[str]:
    path = Path(sys.modules[package].__file__).parents[1] / "ran.txt"
    return path.read_text().splitlines() if path.exists() else []


def test_a_deferred_module_runs_only_when_read_from(probe_package: str) -> None:
    heavy = f"{probe_package}.heavy"
    defer_import(heavy)
    assert ran(probe_package) == [probe_package]  # the package itself: to find the module
    module = __import__(probe_package, fromlist=["heavy"]).heavy  # from package import heavy
    assert ran(probe_package) == [probe_package]
    assert module.VALUE == 42
    assert ran(probe_package) == [probe_package, heavy]


def test_import_as_reads_the_spec_without_running_the_module(probe_package: str) -> None:
    top = f"{probe_package}_top"
    defer_imports((top,))
    module = sys.modules[top]
    assert module.__spec__.name == top  # what "import name as alias" reads
    assert not (Path(module.__spec__.origin).parent / "ran.txt").exists()
    assert module.VALUE == 7
    assert (Path(module.__spec__.origin).parent / "ran.txt").read_text() == f"{top}\n"


def test_a_module_already_imported_or_missing_is_left_alone() -> None:
    assert defer_import("json") is sys.modules["json"]
    assert defer_import("highneeds_no_such_module") is None
    assert "highneeds_no_such_module" not in sys.modules
