"""The forecast's history as a chart: the final year's deficit as each cycle's paper forecast
it, with no interventions and with the Recovery Plan (for ``changes.html``)."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

from highneeds.paper.charts.chart import STANDARD, chart_settings, figure_bytes
from highneeds.paper.text.formatting import gbp_k

_STYLES: tuple[dict[str, Any], ...] = (
    {"marker": "o", "linestyle": "-"},
    {"marker": "s", "linestyle": "--"},
)


def history_chart_svg(cycles: Sequence[str], series: Mapping[str, Sequence[float | None]]) -> bytes:
    """One line per series across the cycles' papers, told apart by marker and dash as well as
    colour; a paper without the figure leaves a gap."""
    import matplotlib
    import matplotlib.pyplot as plt

    with chart_settings(STANDARD):
        fig, ax = plt.subplots(figsize=(STANDARD.width_in, 3.4))
        for (label, values), style in zip(series.items(), _STYLES * len(series), strict=False):
            points = [float("nan") if v is None else v for v in values]
            ax.plot(list(cycles), points, label=label, linewidth=STANDARD.line_width, **style)
        ax.set_xlabel("Paper (cycle)")
        ax.set_ylabel("£000")
        ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
        known = [v for values in series.values() for v in values if v is not None]
        if known and min(known) >= 0:
            ax.set_ylim(bottom=0)  # from zero: a change between papers is not magnified
        ax.grid(axis="y", color="#cccccc", linewidth=0.6)
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(loc="upper left", bbox_to_anchor=(-0.02, -0.2), frameon=False)
        return figure_bytes(fig, ("svg",))["svg"]


def history_chart_data_uri(
    cycles: Sequence[str], series: Mapping[str, Sequence[float | None]]
) -> str:
    svg = history_chart_svg(cycles, series)
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def describe_history(cycles: Sequence[str], series: Mapping[str, Sequence[float | None]]) -> str:
    """The chart in words, for its text alternative: each line from the first paper to the last."""
    parts = []
    for label, values in series.items():
        known = [(c, v) for c, v in zip(cycles, values, strict=True) if v is not None]
        if known:
            (first_cycle, first), (last_cycle, last) = known[0], known[-1]
            parts.append(
                f"{label}: {gbp_k(first)} in the {first_cycle} paper, {gbp_k(last)} in the "
                f"{last_cycle} paper"
            )
    return (
        "The final year's deficit carried forward as each paper forecast it. "
        + "; ".join(parts)
        + "."
    )
