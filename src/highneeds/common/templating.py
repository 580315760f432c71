"""HTML from Jinja templates kept in each stage's ``templates/`` folder, with autoescaping on:
any text from an input is escaped wherever it lands. Only HTML that the pipeline built itself
(rendered narrative, cross-reference links, other parts) is passed in as :class:`Markup`."""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

__all__ = ["Markup", "render_template"]


@cache
def _environment(package: str) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader(package, "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def render_template(package: str, name: str, **context: Any) -> str:
    """Render ``templates/<name>`` of ``package`` (e.g. ``highneeds.paper``) with ``context``."""
    return _environment(package).get_template(name).render(**context)
