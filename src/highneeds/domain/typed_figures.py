"""Figures come from the data, never typed into the text: the rule for every text an author
writes (the narrative, and paper.yaml's recommendations, header and table wording).

Shared by the gate (which checks paper.yaml) and the paper (which checks the narrative).
Every scan here is linear in the text's length, whatever an author types: placeholders and
comments are found with ``str.find`` (a lazy ``{{.*?}}`` pattern rescans the rest of the text
from every ``{{`` that has no closer), and a typed figure starts only where a number starts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

#: Figures typed into prose instead of bound to data: money and percentages. A percentage
#: starts only where a run of digits, commas and points starts, and the run is taken whole
#: (no backtracking into it), so a long run is read once.
TYPED_FIGURE_RE = re.compile(r"£\s?\d[\d,.]*+\s?[km]?|(?<![\w,.])\d[\d,.]*+\s?%")
#: Placeholders and statements, where figures are bound to data: each opener and its closer.
PLACEHOLDER_DELIMITERS = (("{{", "}}"), ("{%", "%}"))
_COMMENT_DELIMITERS = (("<!--", "-->"),)


def delimited(text: str, delimiters: tuple[tuple[str, str], ...]) -> Iterator[tuple[int, int]]:
    """The spans ``(start, end)`` from each opener to the nearest closer after it, leftmost
    first and not overlapping (what ``open.*?close`` finds), in linear time: an opener with no
    closer after it means no later opener of its kind has one either."""
    live = dict(delimiters)
    pos = 0
    next_at = {opener: text.find(opener) for opener in live}
    while live:
        for opener in live:
            if 0 <= next_at[opener] < pos:
                next_at[opener] = text.find(opener, pos)
        found = {o: i for o, i in next_at.items() if o in live and i >= 0}
        if not found:
            return
        opener = min(found, key=found.__getitem__)
        start = found[opener]
        end = text.find(live[opener], start + len(opener))
        if end < 0:
            del live[opener]
            continue
        pos = end + len(live[opener])
        yield start, pos


def placeholders(text: str) -> Iterator[tuple[int, str]]:
    """Each placeholder or statement of ``text`` (``{{ ... }}``, ``{% ... %}``) and where it
    starts."""
    for start, end in delimited(text, PLACEHOLDER_DELIMITERS):
        yield start, text[start:end]


def _without(text: str, delimiters: tuple[tuple[str, str], ...], keep_lines: bool) -> str:
    pieces, last = [], 0
    for start, end in delimited(text, delimiters):
        pieces.append(text[last:start])
        if keep_lines:
            pieces.append("\n" * text.count("\n", start, end))
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def strip_comments(text: str) -> str:
    """Remove HTML comments, keeping line numbers for error messages."""
    return _without(text, _COMMENT_DELIMITERS, keep_lines=True)


def find_typed_figures(text: str) -> list[tuple[int, str]]:
    """Figures typed into prose (outside placeholders): ``(line, figure)`` pairs."""
    found = []
    for number, line in enumerate(strip_comments(text).splitlines(), start=1):
        for match in TYPED_FIGURE_RE.finditer(_without(line, PLACEHOLDER_DELIMITERS, False)):
            found.append((number, match.group(0).strip()))
    return found


#: How a typed figure's form reads its value, and the filter that prints it that way.
_FORMS = (("%", 1.0, "pct_points"), ("m", 1000.0, "gbp_m"), ("k", 1.0, "gbp_k"), ("", 1.0, "num"))


def matching_placeholder(typed: str, figures: Mapping[str, object]) -> str | None:
    """The placeholder that prints the figure ``typed`` ("£357k", "5.4%") from the cycle's
    figures (name -> value, in each figure's own unit: £000 and percent), if exactly one
    figure has that value; None otherwise."""
    text = typed.replace("£", "").replace(",", "").replace(" ", "").lower()
    for suffix, scale, filter_name in _FORMS:
        if suffix and not text.endswith(suffix):
            continue
        try:
            value = float(text.removesuffix(suffix)) * scale
        except ValueError:
            return None
        names = [
            name
            for name, figure in figures.items()
            if isinstance(figure, int | float)
            and not isinstance(figure, bool)
            and abs(float(figure) - value) < 1e-9
        ]
        return f"{{{{ fig.{names[0]} | {filter_name} }}}}" if len(names) == 1 else None
    return None


#: What a placeholder may not do: arithmetic on figures (and joining text, which builds
#: figures too), so that every figure printed is one the council or the model gives.
_ARITHMETIC = {
    "Add": "+",
    "Sub": "-",
    "Mul": "*",
    "Div": "/",
    "FloorDiv": "//",
    "Mod": "%",
    "Pow": "**",
    "Concat": "~",
}


def placeholder_arithmetic(text: str) -> list[tuple[int, str, str]]:
    """Each ``{{ ... }}`` placeholder of ``text`` that computes (``{{ (a - b) | gbp_m(2) }}``):
    ``(line, placeholder, operator)``. Only parsed, never run."""
    import jinja2
    from jinja2 import nodes

    environment = jinja2.Environment(autoescape=True)
    found = []
    clean = strip_comments(text)
    for start, placeholder in placeholders(clean):
        if not placeholder.startswith("{{"):
            continue
        try:
            tree = environment.parse(placeholder)
        except jinja2.TemplateSyntaxError:
            continue  # the render says what is wrong with it
        for node in tree.find_all(nodes.Expr):
            operator = _ARITHMETIC.get(type(node).__name__)
            if operator is not None:
                found.append((clean.count("\n", 0, start) + 1, placeholder, operator))
                break
    return found


def arithmetic_advice(placeholder: str, operator: str) -> str:
    """What to do instead of arithmetic in a placeholder."""
    return (
        f"the placeholder {placeholder} is arithmetic ('{operator}'), which would print a "
        "figure no one has checked; every figure printed must be one the council gives or the "
        "model computes, checked and traced. Declare it in figures.csv with a formula (a "
        "'formula' column, e.g. overspend_october - additional_dfe_funding, checked against "
        "the other figures) and print it with {{ fig.net_overspend | gbp_m(1) }}"
    )
