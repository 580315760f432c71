"""Data Docs are built with Great Expectations' own views sharing their compiled templates: every
page as before, each template compiled once per process rather than once per builder."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import jinja2
import pytest

from highneeds.gate.checks.validation import run_expectations


def test_each_data_docs_template_is_compiled_once(
    shipped_tables, project_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from highneeds.gate.checks.great_expectations_import import import_great_expectations

    import_great_expectations()
    from highneeds.gate.checks.data_docs_views import COMPILED_TEMPLATES

    COMPILED_TEMPLATES.clear()  # another test in this process may have filled it
    compiled: Counter[str] = Counter()
    compile_template = jinja2.Environment.compile

    def counting(self, source, name=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        compiled[name] += 1
        return compile_template(self, source, name, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    tables = {name: shipped_tables[name] for name in ("budget", "figures")}
    docs = tmp_path / "validation"
    checks = run_expectations(tables, docs)
    assert checks and all(check.success for check in checks)
    assert "page.j2" in compiled  # the counter sees the builders' compilations
    assert [name for name, times in compiled.items() if times > 1] == []
    pages = {p.relative_to(docs).parts[0] for p in docs.rglob("*.html")}
    assert pages == {"index.html", "expectations", "validations"}
