"""Figures come from the data, never typed into the text: the rule for every text an author
writes (the narrative, and paper.yaml's recommendations, header and table wording).

Shared by the gate (which checks paper.yaml) and the paper (which checks the narrative).
"""

from __future__ import annotations

import re

#: Figures typed into prose instead of bound to data: money and percentages.
TYPED_FIGURE_RE = re.compile(r"£\s?\d[\d,.]*\s?[km]?|\b\d[\d,.]*\s?%")
#: Placeholders and statements, where figures are bound to data.
PLACEHOLDER_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)


def strip_comments(text: str) -> str:
    """Remove HTML comments, keeping line numbers for error messages."""
    return _COMMENT_RE.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def find_typed_figures(text: str) -> list[tuple[int, str]]:
    """Figures typed into prose (outside placeholders): ``(line, figure)`` pairs."""
    found = []
    for number, line in enumerate(strip_comments(text).splitlines(), start=1):
        for match in TYPED_FIGURE_RE.finditer(PLACEHOLDER_RE.sub("", line)):
            found.append((number, match.group(0).strip()))
    return found
