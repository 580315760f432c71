"""The deficit chart: its text alternative, and its large print drawing's label sizes; and how
any chart is saved (drawn once for each format)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from highneeds.paper.charts import chart
from highneeds.paper.formats.render import TEMPLATES_DIR

MM_PER_IN = 25.4


@pytest.fixture(scope="module")
def scenarios(shipped_tables) -> pd.DataFrame:
    from tests.conftest import model_tables

    merged, _ = model_tables(shipped_tables, draws=10)
    scenarios = merged["scenarios"]
    return scenarios[scenarios["scenario"] != "all_requests_convert"].reset_index(drop=True)


@pytest.fixture(scope="module")
def labels(scenarios: pd.DataFrame) -> dict[str, str]:
    """Each scenario's label as the model gives it, in its order (the shipped cycle's own
    scenario, the top-up uplift, among them)."""
    first = scenarios.drop_duplicates("scenario")
    first = first[first["shown"].astype(bool)]  # as the paper shows them
    return dict(zip(first["scenario"], first["label"], strict=True))


def large_print_text_width_in() -> float:
    """The large print page's text width, from its stylesheet: A4 less the side margins."""
    css = (TEMPLATES_DIR / "cabinet-paper" / "large-print.css").read_text()
    margins = re.search(r"margin:\s*([\d.]+)mm ([\d.]+)mm ([\d.]+)mm ([\d.]+)mm", css)
    assert margins and "size: A4" in css
    return (210 - float(margins[2]) - float(margins[4])) / MM_PER_IN


def svg_font_sizes(svg: str) -> list[float]:
    return [float(size) for size in re.findall(r"font[:-][^;\"]*?([\d.]+)px", svg)]


def test_large_print_chart_labels_print_at_16_pt_or_more(scenarios, labels) -> None:
    svg = chart._render_chart(scenarios, labels, ("svg",), chart.LARGE_PRINT, text_as_paths=False)[
        "svg"
    ].decode("utf-8")
    width_pt = float(re.search(r'<svg[^>]*width="([\d.]+)pt"', svg)[1])
    # The image is shown at the text width: its sizes scale by text width / drawing width.
    scale = large_print_text_width_in() * 72 / width_pt
    sizes = [size * scale for size in svg_font_sizes(svg)]
    assert len(sizes) >= 10  # axis label, ticks, end values, legend
    assert min(sizes) >= 16, sorted(sizes)[:3]
    standard = chart._render_chart(scenarios, labels, ("svg",), text_as_paths=False)["svg"].decode(
        "utf-8"
    )
    assert min(svg_font_sizes(standard)) < 16  # the check can fail


def test_figure_shows_one_drawing_per_medium_with_the_same_alternative(scenarios, labels) -> None:
    html = chart.deficit_chart_html(scenarios, labels, "1")
    images = re.findall(
        r'<img class="([^"]+)" src="data:image/svg\+xml;base64,[^"]+" alt="([^"]+)"', html
    )
    assert [css_class for css_class, _ in images] == ["chart-standard", "chart-large-print"]
    assert images[0][1] == images[1][1] == chart.describe_deficit_chart(scenarios, labels)
    paper_css = (TEMPLATES_DIR / "cabinet-paper" / "paper.css").read_text()
    large_css = (TEMPLATES_DIR / "cabinet-paper" / "large-print.css").read_text()
    assert "img.chart-large-print { display: none; }" in paper_css
    assert "img.chart-standard { display: none; }" in large_css


def test_chart_bytes_are_the_same_every_time(scenarios, labels) -> None:
    assert chart.deficit_chart_svg(scenarios, labels, chart.LARGE_PRINT) == chart.deficit_chart_svg(
        scenarios, labels, chart.LARGE_PRINT
    )
    assert chart.deficit_chart_png(scenarios, labels) == chart.deficit_chart_png(scenarios, labels)


def test_text_alternative_names_each_scenario_from_first_to_last_year(scenarios, labels) -> None:
    text = chart.describe_deficit_chart(scenarios, labels)
    assert text.startswith("Line chart of the High Needs deficit carried forward")
    assert "from 2020/21 to 2024/25, under 3 scenarios" in text
    assert "with the recovery plan (mitigated), from £575k to £3,592k" in text


def test_a_surplus_is_drawn_below_zero_not_cut_off(scenarios: pd.DataFrame, labels) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    surplus = scenarios.copy()
    surplus["cfwd"] = surplus["cfwd"] - 5000  # every scenario ends in surplus somewhere
    captured = {}
    original = plt.Figure.savefig

    def keep_limits(figure, *args, **kwargs):
        captured["ylim"] = figure.axes[0].get_ylim()
        return original(figure, *args, **kwargs)

    plt.Figure.savefig = keep_limits
    try:
        chart.deficit_chart_png(surplus, labels)
    finally:
        plt.Figure.savefig = original
    assert captured["ylim"][0] <= surplus["cfwd"].min()


@pytest.mark.parametrize("style", [chart.STANDARD, chart.LARGE_PRINT], ids=["standard", "large"])
def test_every_legend_line_fits_the_chart_beside_its_line_sample(style, labels) -> None:
    """The deficit chart's and the fan chart's, measured in the charts' own font: before, large
    print's longest labels ran off the figure (and the layout squeezed the deficit chart's plot
    until its year labels overlapped)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    font = FontProperties(family="DejaVu Sans", size=style.font_pt)
    sample = 3 * style.font_pt  # the legend's line sample and the gaps around it (points)
    from highneeds.paper.charts import uncertainty_charts as fan

    fan_labels = [
        f"{band['label']}: {part}"
        for band in fan._BANDS.values()
        for part in (fan.FAN_BAND, fan.FAN_MIDDLE)
    ]
    for label in [*labels.values(), *fan_labels, fan.FAN_FORECAST]:
        for line in chart.legend_label(label, style).splitlines():
            width, _, _ = TextToPath().get_text_width_height_descent(line, font, ismath=False)
            assert width + sample <= style.width_in * 72, (line, width)


def test_a_chart_is_drawn_once_for_each_format_it_is_saved_in(monkeypatch) -> None:
    """The layout is worked out once and no save draws the figure a second time first."""
    import matplotlib.figure

    draws: list[str] = []
    draw = matplotlib.figure.Figure.draw

    def counted(figure: matplotlib.figure.Figure, renderer: object) -> None:
        draws.append(type(renderer).__name__)
        draw(figure, renderer)

    monkeypatch.setattr(matplotlib.figure.Figure, "draw", counted)
    with chart.chart_settings(chart.STANDARD):
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots()
        ax.plot([1, 2, 3], label="a line")
        ax.legend()
        saved = chart.figure_bytes(fig, ("svg", "png"))
    assert set(saved) == {"svg", "png"}
    assert draws == ["MixedModeRenderer", "RendererAgg"]  # SVG (vector with raster parts), PNG
