"""The charts of how sure the forecast is: the tornado of the final year's deficit and the fan
of every year's deficit over the simulations, each with a text alternative from its data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from highneeds.paper.charts.chart import ChartStyle, chart_settings, figure_bytes, legend_label
from highneeds.paper.charts.drawing_memo import remembered
from highneeds.paper.text.formatting import gbp_k, num

#: Each scenario's band: its colour and hatching, so that no information rests on colour alone.
_BANDS = {
    "unmitigated": {"label": "No interventions", "color": "#1d3557", "hatch": "", "style": "-"},
    "mitigated": {
        "label": "With the Recovery Plan",
        "color": "#2a7f62",
        "hatch": "//",
        "style": "--",
    },
}


def assumption_value(value: float, kind: str) -> str:
    """An assumption's value as the paper writes it: a rate to one decimal, a share whole."""
    return f"{num(value * 100, 1)}%" if kind == "rate" else f"{num(value * 100)}%"


def describe_tornado(
    tornado: pd.DataFrame, last_year: str, centre: str = "with the Recovery Plan"
) -> str:
    """A text alternative for the tornado chart, from the data it plots (``centre``: what the
    deficit it moves is, in words)."""
    central = float(tornado["cfwd_central"].iloc[0])
    parts = [
        f"{rec.label}: {gbp_k(rec.cfwd_at_low)} at "
        f"{assumption_value(rec.low, rec.kind)}, {gbp_k(rec.cfwd_at_high)} at "
        f"{assumption_value(rec.high, rec.kind)}"
        for rec in tornado.itertuples(index=False)
    ]
    return (
        f"Bar chart of the deficit carried forward at the end of {last_year} {centre}, "
        f"{gbp_k(central)} as forecast, when each assumption is at its low and its high "
        f"value, the biggest swing first: " + "; ".join(parts) + "."
    )


@remembered
def tornado_drawings(
    tornado: pd.DataFrame, style: ChartStyle, formats: Sequence[str]
) -> dict[str, bytes]:
    """The tornado chart drawn once at ``style``, saved in each of ``formats``."""
    with chart_settings(style):
        import matplotlib
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(style.width_in, style.height_in * 0.9))
        central = float(tornado["cfwd_central"].iloc[0])
        rows = list(tornado.itertuples(index=False))[::-1]  # biggest swing at the top
        for position, rec in enumerate(rows):
            for value, colour, hatch in (
                (rec.cfwd_at_low, "#9db4c0", ""),
                (rec.cfwd_at_high, "#1d3557", "//"),
            ):
                ax.barh(
                    position,
                    value - central,
                    left=central,
                    color=colour,
                    hatch=hatch,
                    edgecolor="#111111",
                    linewidth=0.5,
                    height=0.6,
                )
        ax.axvline(central, color="#111111", linewidth=1)
        ax.set_yticks(range(len(rows)), [_wrap(rec.label) for rec in rows])
        ax.set_xlabel("Deficit carried forward, final year (£000)")
        ax.xaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
        ax.grid(axis="x", color="#cccccc", linewidth=0.6)
        ax.spines[["top", "right"]].set_visible(False)
        from matplotlib.patches import Patch

        ax.legend(
            handles=[
                Patch(
                    facecolor="#9db4c0", edgecolor="#111111", label="Assumption at its low value"
                ),
                Patch(
                    facecolor="#1d3557", hatch="//", edgecolor="#111111", label="At its high value"
                ),
            ],
            loc="upper left",
            bbox_to_anchor=(-0.02, -0.18),
            frameon=False,
        )
        return figure_bytes(fig, formats)


def _wrap(label: str, width: int = 22) -> str:
    words, lines, line = label.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line])


def describe_fan(
    levels: pd.DataFrame,
    draws: int,
    forecast: Mapping[str, float],
    centre: str = "with the Recovery Plan",
) -> str:
    """A text alternative for the fan chart, from the data it plots (``forecast``: the
    forecast the simulations centre on by year, ``centre`` in words, drawn over the bands)."""
    last = levels["year"].iloc[-1]
    parts = []
    for scenario, band in _BANDS.items():
        rows = levels[(levels["scenario"] == scenario) & (levels["year"] == last)]
        if rows.empty:
            continue
        rec = rows.iloc[0]
        parts.append(
            f"{band['label']}, between {gbp_k(rec['p10'])} and {gbp_k(rec['p90'])} "
            f"(middle {gbp_k(rec['p50'])})"
        )
    return (
        f"Chart of the deficit carried forward at the end of each year from "
        f"{levels['year'].iloc[0]} to {last} over {num(draws)} simulations of the assumptions: "
        f"a band from the 10th to the 90th percentile and a line at the middle (50th), for "
        f"each scenario, and the forecast {centre} as points. At the end of "
        f"{last}: " + "; ".join(parts) + f"; the forecast, {gbp_k(forecast[last])}."
    )


#: The fan chart's legend: each scenario's band and middle line, and the forecast's points.
FAN_BAND = "10th to 90th percentile"
FAN_MIDDLE = "middle (50th percentile)"
FAN_FORECAST = "Forecast with the Recovery Plan"


@remembered
def fan_drawings(
    levels: pd.DataFrame,
    forecast: Mapping[str, float],
    style: ChartStyle,
    formats: Sequence[str],
    forecast_label: str = FAN_FORECAST,
) -> dict[str, bytes]:
    """The fan chart drawn once at ``style``, saved in each of ``formats``, with the forecast
    the simulations centre on (by year; ``forecast_label`` in the legend) over it, so that a
    reader sees where it falls."""
    with chart_settings(style):
        import matplotlib
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(style.width_in, style.height_in))
        for scenario, band in _BANDS.items():
            rows = levels[levels["scenario"] == scenario]
            years = list(rows["year"])
            ax.fill_between(
                years,
                rows["p10"],
                rows["p90"],
                facecolor=band["color"],
                alpha=0.3,
                hatch=band["hatch"],  # told apart by pattern as well as colour
                edgecolor=band["color"],
                linewidth=0.6,
                label=legend_label(f"{band['label']}: {FAN_BAND}", style),
            )
            ax.plot(
                years,
                rows["p50"],
                color=band["color"],
                linestyle=band["style"],
                linewidth=style.line_width,
                label=legend_label(f"{band['label']}: {FAN_MIDDLE}", style),
            )
        ax.plot(
            list(forecast),
            list(forecast.values()),
            color="black",
            linestyle="none",
            marker="D",
            markersize=style.line_width * 2.5,
            label=legend_label(forecast_label, style),
        )
        ax.set_ylabel("Deficit carried forward (£000)")
        ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
        ax.set_ylim(bottom=min(0.0, float(levels["p10"].min())))
        ax.grid(axis="y", color="#cccccc", linewidth=0.6)
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(loc="upper left", bbox_to_anchor=(-0.02, -0.12), frameon=False)
        return figure_bytes(fig, formats)
