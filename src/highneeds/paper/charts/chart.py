"""The chart of the carried-forward deficit under each scenario, with a text alternative."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from highneeds.common.templating import render_template
from highneeds.paper.charts.drawing_memo import remembered
from highneeds.paper.text.formatting import PER_000, money_in

if TYPE_CHECKING:  # the history chart of changes.html draws no table: it need not load pandas
    import pandas as pd

#: Scenario names in the order they are drawn, with their labels (the model's ``SCENARIO_LABELS``).
Labels = Mapping[str, str]

#: Each scenario gets its own line style and marker, in the order they are drawn, so no
#: information rests on colour alone (a council's own scenarios come between the mitigated
#: forecast and "all requests convert"; beyond eight, the styles repeat with another width).
_STYLES = (
    {"color": "#1d3557", "linestyle": "-", "marker": "o"},
    {"color": "#2a7f62", "linestyle": "--", "marker": "s"},
    {"color": "#a4161a", "linestyle": ":", "marker": "^"},
    {"color": "#6a3d9a", "linestyle": "-.", "marker": "D"},
    {"color": "#b35900", "linestyle": (0, (5, 2, 1, 2)), "marker": "v"},
    {"color": "#005f73", "linestyle": (0, (1, 1)), "marker": "P"},
    {"color": "#7a4419", "linestyle": (0, (8, 3)), "marker": "X"},
    {"color": "#3d405b", "linestyle": (0, (3, 1, 1, 1, 1, 1)), "marker": "*"},
)


def _style(position: int) -> dict[str, Any]:
    return _STYLES[position % len(_STYLES)]


def describe_deficit_chart(
    scenarios: pd.DataFrame, labels: Labels, unit: str = "£000", whose: str = "High Needs"
) -> str:
    """A text alternative for the chart, written from the data it plots (amounts in £000,
    written in the council's ``unit``)."""
    years = list(dict.fromkeys(scenarios["year"]))
    parts = []
    for scenario, label in labels.items():
        rows = scenarios[scenarios["scenario"] == scenario]
        if rows.empty:
            continue
        first, last = rows["cfwd"].iloc[0], rows["cfwd"].iloc[-1]
        parts.append(f"{label.lower()}, from {money_in(first, unit)} to {money_in(last, unit)}")
    return (
        f"Line chart of the {whose} deficit carried forward at the end of each year from "
        f"{years[0]} to {years[-1]}, under {len(parts)} scenarios: " + "; ".join(parts) + "."
    )


@dataclass(frozen=True)
class ChartStyle:
    """Size and type of a chart: the paper's, or large print's."""

    width_in: float
    height_in: float
    font_pt: float
    line_width: float
    marker_size: float
    #: The size of the value printed at the end of each line.
    end_label_pt: float


#: The legend goes below the plot, where no line can run behind it.
STANDARD = ChartStyle(6.3, 4.0, 9, 1.8, 5, end_label_pt=8)
#: Drawn at the large print page's text width (A4 less 14 mm margins, 7.2 in), so every
#: label prints at 16 pt, like the text around it; the legend goes below the plot.
LARGE_PRINT = ChartStyle(7.1, 6.4, 16, 2.6, 8, end_label_pt=16)


def _render_chart(
    scenarios: pd.DataFrame,
    labels: Labels,
    formats: Sequence[str],
    style: ChartStyle = STANDARD,
    text_as_paths: bool = False,
    unit: str = "£000",
) -> dict[str, bytes]:
    """Plot the carried-forward deficit by scenario (£000, drawn in the council's ``unit``),
    once, saved in each of ``formats`` (deterministic bytes for SVG and PNG).

    SVG text stays text (see :func:`chart_settings`)."""
    import matplotlib

    with chart_settings(style, text_as_paths):
        import matplotlib.pyplot as plt

        per_000 = PER_000[unit]
        fig, ax = plt.subplots(figsize=(style.width_in, style.height_in))
        years = list(dict.fromkeys(scenarios["year"]))
        ends: list[float] = []
        for position, (scenario, label) in enumerate(labels.items()):
            rows = scenarios[scenarios["scenario"] == scenario]
            if rows.empty:
                continue
            ax.plot(
                rows["year"],
                rows["cfwd"] / per_000,
                label=legend_label(label, style),
                linewidth=style.line_width,
                markersize=style.marker_size,
                **_style(position),
            )
            ends.append(float(rows["cfwd"].iloc[-1]))
        ax.set_ylabel(f"Deficit carried forward ({unit})")
        places = 1 if unit == "£m" else 0
        ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter(f"{{x:,.{places}f}}"))
        lowest = min(float(scenarios["cfwd"].min()) / per_000, 0.0)
        if lowest < 0:  # a surplus: show it below a line at zero, never cut off
            ax.axhline(0, color="#555555", linewidth=0.8)
        else:
            ax.set_ylim(bottom=0)
        ax.grid(axis="y", color="#cccccc", linewidth=0.6)
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(loc="upper left", bbox_to_anchor=(-0.02, -0.12), frameon=False)
        # The years are categories 0..n-1: a year's width each, and room on the right for
        # the end values, so that large print's 16 pt year labels do not run into each other.
        ax.set_xlim(-0.3, len(years))
        _label_line_ends(ax, len(years) - 1, ends, style, unit)
        return figure_bytes(fig, formats)


def legend_label(label: str, style: ChartStyle) -> str:
    """``label`` broken into lines that fit the chart's width beside the legend's line sample
    (at most about 0.6 em a character): a legend wider than the figure would be cut off, and the
    layout would squeeze the plot to make room for it."""
    import textwrap

    characters = int(style.width_in * 72 / (style.font_pt * 0.6)) - 8  # less the sample
    return textwrap.fill(label, width=characters)


def chart_settings(style: ChartStyle, text_as_paths: bool = False) -> Any:
    """Matplotlib settings for a chart of ``style``, as a context manager: deterministic SVG,
    the paper's font at the style's size. SVG text stays text in DejaVu Sans, which the PDFs
    embed: WeasyPrint lays out a paper whose charts draw their letters as glyph paths markedly
    slower, and the text stays selectable. A browser without DejaVu Sans shows its own
    sans-serif in the HTML."""
    import matplotlib

    matplotlib.use("Agg")
    return matplotlib.rc_context(
        {
            "svg.hashsalt": "highneeds",
            "svg.fonttype": "path" if text_as_paths else "none",
            "font.family": "DejaVu Sans",
            "font.size": style.font_pt,
        }
    )


def figure_bytes(fig: Any, formats: Sequence[str]) -> dict[str, bytes]:
    """A finished figure laid out once and saved as each of ``formats`` (``svg``, ``png``), in
    bytes that depend only on what it draws; closes it.

    The tight layout is worked out once and left as the figure's margins, with no layout
    engine on the figure: ``fig.tight_layout()`` leaves a placeholder engine behind, and with
    any engine set every save first draws the whole figure without output (for a layout that
    has nothing left to do), which cost about a sixth of the charts' time for the same bytes."""
    import matplotlib.pyplot as plt
    from matplotlib.layout_engine import TightLayoutEngine

    TightLayoutEngine().execute(fig)
    saved = {}
    for fmt in formats:
        buffer = io.BytesIO()
        metadata = (
            {"Date": None, "Creator": "highneeds"} if fmt == "svg" else {"Software": "highneeds"}
        )
        fig.savefig(buffer, format=fmt, metadata=metadata, dpi=200)
        saved[fmt] = buffer.getvalue()
    plt.close(fig)
    return saved


def figure_html(
    standard_svg: bytes, large_print_svg: bytes | None, number: str, alt: str, caption: str
) -> str:
    """A chart as an HTML figure: its SVG at the paper's size and, if given, at large print's
    (shown only by the large print stylesheet), each with the text alternative."""
    images = [
        {"css_class": css_class, "svg_base64": base64.b64encode(svg).decode("ascii")}
        for css_class, svg in (
            ("chart-standard", standard_svg),
            ("chart-large-print", large_print_svg),
        )
        if svg is not None
    ]
    return render_template(
        "highneeds.paper",
        "parts/chart-figure.html.j2",
        number=number,
        images=images,
        alt=alt,
        caption=caption,
    )


def _label_line_ends(
    ax: Any, last: int, ends: list[float], style: ChartStyle, unit: str = "£000"
) -> None:
    """Print each line's final value (£000, written in ``unit``) beside it, moved apart where
    two would overlap."""
    ends = [value / PER_000[unit] for value in ends]
    bottom, top = ax.get_ylim()
    # A label's height in data units: its size over the plot's height (about 55% of the
    # figure's, the rest is axes labels and the legend below).
    gap = (top - bottom) * (style.end_label_pt * 1.35 / 72) / (style.height_in * 0.55)
    placed: list[float] = []
    for value in sorted(ends):
        placed.append(max(value, placed[-1] + gap) if placed else value)
    for value, at in zip(sorted(ends), placed, strict=True):
        ax.annotate(
            money_in(value * PER_000[unit], unit),
            (last, value),
            xytext=(last + 0.08, at),
            textcoords="data",
            va="center",
            fontsize=style.end_label_pt,
        )


@remembered
def deficit_chart_drawings(
    scenarios: pd.DataFrame,
    labels: Labels,
    style: ChartStyle,
    formats: Sequence[str],
    unit: str = "£000",
) -> dict[str, bytes]:
    """The chart drawn once at ``style``: SVG (vector, for the HTML and PDFs) and/or PNG
    (for Word, which does not take SVG), in the council's ``unit``."""
    return _render_chart(scenarios, labels, formats, style, unit=unit)


def deficit_chart_svg(
    scenarios: pd.DataFrame, labels: Labels, style: ChartStyle = STANDARD
) -> bytes:
    """The chart as SVG."""
    return _render_chart(scenarios, labels, ("svg",), style)["svg"]


def deficit_chart_png(scenarios: pd.DataFrame, labels: Labels) -> bytes:
    """The chart as PNG."""
    return _render_chart(scenarios, labels, ("png",))["png"]


def deficit_chart_html(scenarios: pd.DataFrame, labels: Labels, number: str) -> str:
    """The chart as an HTML figure, with its text alternative and large print drawing."""
    return figure_html(
        deficit_chart_svg(scenarios, labels),
        deficit_chart_svg(scenarios, labels, LARGE_PRINT),
        number,
        describe_deficit_chart(scenarios, labels),
        "High Needs deficit carried forward by scenario (£000)",
    )
