"""Characters no text input may hold, found in one pass: control characters (tab, line feed
and carriage return aside), DEL, surrogates and the code points that are no characters
(U+FDD0-U+FDEF, U+FFFE, U+FFFF). They are invisible, and the paper's formats refuse them (Word's
XML, the return's workbook) or print them differently. Checked in every table cell, in
paper.yaml's texts and in the narrative, each naming where."""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")


def control_character(text: str) -> str | None:
    """The first control character of ``text`` (tab, line feed and carriage return aside; DEL
    and the code points that are no characters, U+FFFE, U+FFFF, included: no paper format can
    hold them), written as its code (``U+001B``), or None."""
    found = _CONTROL.search(text)
    return None if found is None else f"U+{ord(found.group(0)):04X}"


def control_line(text: str) -> tuple[int, str] | None:
    """The line (1-based) of the first control character of ``text``, and its code."""
    found = _CONTROL.search(text)
    if found is None:
        return None
    return text.count("\n", 0, found.start()) + 1, f"U+{ord(found.group(0)):04X}"
