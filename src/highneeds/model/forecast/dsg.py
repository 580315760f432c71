"""The whole Dedicated Schools Grant's balance, where the cycle gives the other blocks: the
High Needs block's balance brought forward (the budget's B/Fwd) and the Schools, Central
School Services and Early Years blocks' (``dsg_blocks.csv``), added, traced to their cells.
The DfE return prints it; the paper's tables are the High Needs block's own."""

from __future__ import annotations

import math

import pandas as pd

from highneeds.domain.amounts import as_written
from highneeds.domain.categories import OTHER_DSG_BLOCKS
from highneeds.domain.traced import Cell, Traced, cell, total
from highneeds.model.basis.inputs import source_of


def dsg_opening(blocks: pd.DataFrame | None, high_needs_bfwd: Traced, year: str) -> Traced | None:
    """``dsg.bfwd[<year>]``: the four blocks' balances brought forward into ``year``, added;
    None unless the cycle gives every other block's balance for that year."""
    if blocks is None:
        return None
    file = source_of(blocks, "dsg_blocks.csv")
    given: dict[str, Traced] = {}
    for rec in blocks.itertuples(index=False):
        amount = float(rec.bfwd)
        if rec.year != year or rec.block not in OTHER_DSG_BLOCKS or math.isnan(amount):
            continue
        where = Cell(file, int(rec.row), "bfwd", as_written(amount))
        label = f"{OTHER_DSG_BLOCKS[rec.block]} balance brought forward, {year}"
        given[rec.block] = cell(amount, where, label, role=OTHER_DSG_BLOCKS[rec.block])
    if set(given) != set(OTHER_DSG_BLOCKS):
        return None
    parts = [high_needs_bfwd.as_role("High Needs block"), *(given[b] for b in OTHER_DSG_BLOCKS)]
    return total(parts).named(
        f"dsg.bfwd[{year}]", f"The whole DSG's balance brought forward, {year}"
    )


def opening_frame(opening: Traced | None, year: str) -> pd.DataFrame | None:
    """The figure as the DfE return reads it (one row: year, amount)."""
    if opening is None:
        return None
    return pd.DataFrame([{"year": year, "amount": float(opening)}])
