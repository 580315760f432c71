"""The Dedicated Schools Grant's other blocks (Schools, Central School Services, Early Years:
``dsg_blocks.csv``), their figures traced to their cells, and the whole DSG's balance where
the cycle gives them: the High Needs block's balance brought forward (the budget's B/Fwd) and
the other blocks', added. The DfE return prints them; the paper's tables are the High Needs
block's own."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from highneeds.domain.amounts import as_written
from highneeds.domain.categories import OTHER_DSG_BLOCKS
from highneeds.domain.traced import Cell, Traced, cell, total
from highneeds.model.basis.inputs import source_of

#: The other blocks' measures, as ``dsg_blocks.csv`` names its columns.
BLOCK_MEASURES = ("bfwd", "funding", "spend")


def block_figures(blocks: pd.DataFrame | None) -> dict[tuple[str, str, str], Traced]:
    """``dsg.<block>.<measure>[<year>]``, by block, measure and year: each of the other DSG
    blocks' figures as ``dsg_blocks.csv`` gives it (a blank left out)."""
    if blocks is None:
        return {}
    file = source_of(blocks, "dsg_blocks.csv")
    found = {}
    for rec in blocks.itertuples(index=False):
        if rec.block not in OTHER_DSG_BLOCKS:
            continue
        for measure in BLOCK_MEASURES:
            amount = float(getattr(rec, measure))
            if math.isnan(amount):
                continue
            where = Cell(file, int(rec.row), measure, as_written(amount))
            label = f"{OTHER_DSG_BLOCKS[rec.block]}: {measure}, {rec.year}"
            found[(rec.block, measure, rec.year)] = cell(amount, where, label).named(
                f"dsg.{rec.block}.{measure}[{rec.year}]", label, role=OTHER_DSG_BLOCKS[rec.block]
            )
    return found


def dsg_opening(
    blocks: Mapping[tuple[str, str, str], Traced], high_needs_bfwd: Traced, year: str
) -> Traced | None:
    """``dsg.bfwd[<year>]``: the four blocks' balances brought forward into ``year`` (the
    other blocks' from :func:`block_figures`), added; None unless the cycle gives every
    other block's balance for that year."""
    given = [blocks.get((block, "bfwd", year)) for block in OTHER_DSG_BLOCKS]
    if any(figure is None for figure in given):
        return None
    parts = [high_needs_bfwd.as_role("High Needs block"), *given]
    return total(parts).named(  # type: ignore[arg-type]
        f"dsg.bfwd[{year}]", f"The whole DSG's balance brought forward, {year}"
    )


def opening_frame(opening: Traced | None, year: str) -> pd.DataFrame | None:
    """The figure as the DfE return reads it (one row: year, amount)."""
    if opening is None:
        return None
    return pd.DataFrame([{"year": year, "amount": float(opening)}])
