"""Great Expectations' Data Docs views, with their templates compiled once per process.

Each of the Data Docs site's builders (the suites, the validation results, profiling, the
index) makes its own view, and each view its own Jinja environment, which compiles the same
templates again: 51 compilations for the shipped cycle's six tables, a third of building its
Data Docs. These views are Great Expectations' own (the same templates, filters and pages),
sharing one in-memory cache of compiled templates (Jinja's bytecode cache, keyed by each
template's name and source). The site's configuration names them (:func:`site_views`); the
gate imports this module only when it builds Data Docs.
"""

from __future__ import annotations

from typing import Any

import jinja2
from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory, by Jinja's key for a template and its source."""

    def __init__(self) -> None:
        self._kept: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._kept.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._kept[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self._kept.clear()


#: One cache for every view this process makes.
COMPILED_TEMPLATES = CompiledTemplates()


class PageView(DefaultJinjaPageView):
    """Great Expectations' page view (suites, validation results), templates compiled once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.env.bytecode_cache = COMPILED_TEMPLATES


class IndexPageView(DefaultJinjaIndexPageView):
    """Great Expectations' index page view, templates compiled once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.env.bytecode_cache = COMPILED_TEMPLATES


def site_views() -> dict[str, Any]:
    """The parts of a Data Docs site's configuration that name these views."""
    page = {"view": {"module_name": __name__, "class_name": PageView.__name__}}
    return {
        "site_section_builders": {
            section: dict(page) for section in ("expectations", "validations", "profiling")
        },
        "site_index_builder": {
            "class_name": "DefaultSiteIndexBuilder",
            "view": {"module_name": __name__, "class_name": IndexPageView.__name__},
        },
    }
