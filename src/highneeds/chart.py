"""The chart of the carried-forward deficit under each scenario, with a text alternative."""

from __future__ import annotations

import base64
import io

import pandas as pd

from highneeds.formatting import gbp_k
from highneeds.model import SCENARIO_LABELS

#: Each scenario gets its own line style and marker, so no information rests on colour alone.
_STYLES = {
    "unmitigated": {"color": "#1d3557", "linestyle": "-", "marker": "o"},
    "mitigated": {"color": "#2a7f62", "linestyle": "--", "marker": "s"},
    "mitigated_with_topup_uplift": {"color": "#a4161a", "linestyle": ":", "marker": "^"},
}


def describe_deficit_chart(scenarios: pd.DataFrame) -> str:
    """A text alternative for the chart, written from the data it plots."""
    years = list(dict.fromkeys(scenarios["year"]))
    parts = []
    for scenario, label in SCENARIO_LABELS.items():
        rows = scenarios[scenarios["scenario"] == scenario]
        if rows.empty:
            continue
        first, last = rows["cfwd"].iloc[0], rows["cfwd"].iloc[-1]
        parts.append(f"{label.lower()}, from {gbp_k(first)} to {gbp_k(last)}")
    return (
        f"Line chart of the High Needs deficit carried forward at the end of each year from "
        f"{years[0]} to {years[-1]}, under {len(parts)} scenarios: " + "; ".join(parts) + "."
    )


def _render_chart(scenarios: pd.DataFrame, fmt: str) -> bytes:
    """Plot the carried-forward deficit by scenario (deterministic bytes for SVG and PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    settings = {
        "svg.hashsalt": "highneeds",
        "svg.fonttype": "path",
        "font.family": "DejaVu Sans",
        "font.size": 9,
    }
    with matplotlib.rc_context(settings):
        fig, ax = plt.subplots(figsize=(6.3, 3.2))
        years = list(dict.fromkeys(scenarios["year"]))
        for scenario, label in SCENARIO_LABELS.items():
            rows = scenarios[scenarios["scenario"] == scenario]
            if rows.empty:
                continue
            ax.plot(
                rows["year"],
                rows["cfwd"],
                label=label,
                linewidth=1.8,
                markersize=5,
                **_STYLES[scenario],
            )
            ax.annotate(
                gbp_k(rows["cfwd"].iloc[-1]),
                (years[-1], rows["cfwd"].iloc[-1]),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
        ax.set_ylabel("Deficit carried forward (£000)")
        ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
        ax.set_ylim(bottom=0)
        ax.grid(axis="y", color="#cccccc", linewidth=0.6)
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(loc="upper left", frameon=True, framealpha=1, edgecolor="none")
        ax.margins(x=0.12)
        fig.tight_layout()
        buffer = io.BytesIO()
        metadata = (
            {"Date": None, "Creator": "highneeds"} if fmt == "svg" else {"Software": "highneeds"}
        )
        fig.savefig(buffer, format=fmt, metadata=metadata, dpi=200)
        plt.close(fig)
    return buffer.getvalue()


def deficit_chart_svg(scenarios: pd.DataFrame) -> bytes:
    """The chart as SVG: vector in the HTML and the PDF."""
    return _render_chart(scenarios, "svg")


def deficit_chart_png(scenarios: pd.DataFrame) -> bytes:
    """The chart as PNG, for Word, which does not take SVG."""
    return _render_chart(scenarios, "png")


def deficit_chart_html(scenarios: pd.DataFrame, number: str) -> str:
    """The chart as an HTML figure: the SVG as an image with its text alternative."""
    svg = base64.b64encode(deficit_chart_svg(scenarios)).decode("ascii")
    alt = describe_deficit_chart(scenarios)
    return (
        f'<figure class="chart" id="figure-{number}">'
        f'<img src="data:image/svg+xml;base64,{svg}" alt="{alt}">'
        f"<figcaption>Figure {number}: High Needs deficit carried forward by scenario "
        f"(£000)</figcaption></figure>"
    )
