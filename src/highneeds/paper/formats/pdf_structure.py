"""Repair the structure tree WeasyPrint writes for tables, so that outside PDF/UA checkers (and
the screen readers they stand for) can tell which header goes with which figure.

WeasyPrint tags a table's wrapper boxes as ``/Table`` elements that hold no rows (the key facts
table came out as a ``/Table`` inside three such wrappers, its ``/Caption`` at the bottom), and
its ``/TH`` cells carry no ``/Scope``. After the PDF is written, each table becomes one
``/Table`` with its ``/Caption`` first, and every header cell says whether it heads a column
(in ``/THead``) or a row (in ``/TBody``). The data cells' ``/Headers`` already name the header
cells' ``/ID``. The file is saved with an ID computed from its content, so the same paper
still gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

_SECTIONS = ("/THead", "/TBody", "/TFoot")


def _kids(element: Any) -> list[Any]:
    import pikepdf

    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _is_element(node: Any) -> bool:
    import pikepdf

    return isinstance(node, pikepdf.Dictionary) and "/S" in node


def _has_rows(table: Any) -> bool:
    """Whether a ``/Table`` element holds rows itself (not through a nested table)."""
    for kid in _kids(table):
        if not _is_element(kid):
            continue
        if kid.S == "/TR":
            return True
        if kid.S in _SECTIONS and any(_is_element(r) and r.S == "/TR" for r in _kids(kid)):
            return True
    return False


def _captions(wrapper: Any) -> list[Any] | None:
    """The ``/Caption`` elements inside a row-less wrapper, or ``None`` if it holds anything
    else (marked content of its own, or other elements), so that it cannot simply go."""
    found = []
    for kid in _kids(wrapper):
        if not _is_element(kid):
            return None
        if kid.S == "/Caption":
            found.append(kid)
        elif kid.S == "/Table" and not _has_rows(kid):
            inner = _captions(kid)
            if inner is None:
                return None
            found += inner
        else:
            return None
    return found


def _flatten_table(table: Any) -> int:
    """Replace the row-less wrapper tables inside ``table`` by the captions they hold, caption
    first; returns how many wrappers went."""
    import pikepdf

    kids, removed, captions, others = _kids(table), 0, [], []
    for kid in kids:
        held = _captions(kid) if _is_element(kid) and kid.S == "/Table" else None
        if held is None:
            others.append(kid)
        else:
            captions += held
            removed += 1
    if removed:
        for caption in captions:
            caption.P = table
        table.K = pikepdf.Array([*captions, *others])
    return removed


def _scope_headers(element: Any, section: str | None) -> int:
    """Give every ``/TH`` under ``element`` a ``/Scope``: Column in a head, Row elsewhere."""
    import pikepdf

    scoped = 0
    for kid in _kids(element):
        if not _is_element(kid):
            continue
        if kid.S == "/TH":
            scope = pikepdf.Name.Column if section == "/THead" else pikepdf.Name.Row
            attributes = kid.get("/A")
            table_attributes = None
            for candidate in (
                list(attributes) if isinstance(attributes, pikepdf.Array) else [attributes]
            ):
                if isinstance(candidate, pikepdf.Dictionary) and candidate.get("/O") == "/Table":
                    table_attributes = candidate
            if table_attributes is None:
                table_attributes = pikepdf.Dictionary(O=pikepdf.Name.Table)
                kid.A = (
                    table_attributes
                    if attributes is None
                    else pikepdf.Array([*_as_list(attributes), table_attributes])
                )
            table_attributes.Scope = scope
            scoped += 1
        scoped += _scope_headers(kid, str(kid.S) if kid.S in _SECTIONS else section)
    return scoped


def _as_list(value: Any) -> list[Any]:
    import pikepdf

    return list(value) if isinstance(value, pikepdf.Array) else [value]


def _tables(element: Any) -> list[Any]:
    found = []
    for kid in _kids(element):
        if _is_element(kid):
            if kid.S == "/Table" and _has_rows(kid):
                found.append(kid)
            found += _tables(kid)
    return found


def repair_table_structure(path: Path) -> dict[str, int]:
    """Repair every table of the tagged PDF at ``path`` in place; say what was repaired."""
    import pikepdf

    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        root = pdf.Root.get("/StructTreeRoot")
        if root is None:
            return {"tables": 0, "wrappers_removed": 0, "headers_scoped": 0}
        tables = _tables(root)
        removed = sum(_flatten_table(table) for table in tables)
        scoped = sum(_scope_headers(table, None) for table in tables)
        pdf.save(path, deterministic_id=True)
    return {"tables": len(tables), "wrappers_removed": removed, "headers_scoped": scoped}
