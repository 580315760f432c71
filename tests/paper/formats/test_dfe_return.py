"""The DfE's DSG management plan return as the template lays it out: a cover with sign-off,
the four DSG blocks, High Needs spending by line, EHCPs by category and age band, the
workstreams, the narrative; every number formatted, children whole, nothing the cycle does
not give written as a zero, and the same bytes for the same inputs."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from highneeds.domain.categories import AGE_BANDS, DFE_CATEGORIES, OTHER_DSG_BLOCKS
from highneeds.gate.tables.paper_yaml import read_paper_metadata
from highneeds.model.forecast.deficit import SCENARIO_LABELS
from highneeds.paper.formats.dfe_return import ADD_AGES, ADD_BLOCKS, ReturnTables, return_figures
from highneeds.paper.formats.dfe_return_workbook import ReturnFigures, write_dfe_return
from highneeds.runner.execute.paper_inputs import return_tables
from tests.conftest import model_tables

CREATED = dt.datetime(2022, 1, 1, tzinfo=dt.UTC)
PARAGRAPHS = [("7 Financial implications", "7.13", "The placement costs ...")]


@dataclass(frozen=True)
class ShippedReturn:
    """What the return is written from for the shipped cycle: the model's tables, the paper's
    metadata and the lineage."""

    tables: ReturnTables
    meta: dict
    derivations: dict


@pytest.fixture(scope="module")
def shipped_inputs(shipped_tables, shipped_raw: Path) -> ShippedReturn:
    merged, lineage = model_tables(shipped_tables, draws=20)
    return ShippedReturn(
        # As notebook 04 reads them: the model's tables and the gate's typed budget and cases.
        tables=return_tables({**shipped_tables, **merged}),
        meta=read_paper_metadata(shipped_raw / "paper.yaml"),
        derivations={k: asdict(d) for k, d in lineage.derivations.items()},
    )


def written(inputs: ShippedReturn, folder: Path, meta: dict | None = None, **table_changes) -> Path:
    """The return written as the render writes it: from its figures as notebook 04 keeps them
    (through their JSON), with the cover and the narrative."""
    figures = return_figures(replace(inputs.tables, **table_changes))
    target = folder / "return.xlsx"
    write_dfe_return(
        target,
        ReturnFigures.from_json(figures.to_json()),
        meta=inputs.meta if meta is None else meta,
        cycle="2022-01",
        created=CREATED,
        derivations=inputs.derivations,
        paragraphs=PARAGRAPHS,
    )
    return target


def sheet_rows(path: Path, sheet: str) -> list[tuple]:
    return list(load_workbook(path)[sheet].iter_rows(values_only=True))


def test_the_cover_names_the_authority_and_asks_for_both_sign_offs(
    shipped_inputs, tmp_path
) -> None:
    cover = {r[0]: r[1:] for r in sheet_rows(written(shipped_inputs, tmp_path), "Cover") if r[0]}
    assert cover["Local authority"][0] == "Rutland County Council"
    assert cover["Local authority number"][0] == "857"
    assert cover["Version"][0] == "2022-01"
    assert cover["Date"][0] == dt.datetime(2022, 1, 1)  # a date cell, not text
    book = load_workbook(written(shipped_inputs, tmp_path))
    date_cell = next(r[1] for r in book["Cover"].iter_rows() if r[0].value == "Date")
    assert date_cell.is_date and date_cell.number_format == "dd/mm/yyyy"
    assert cover["Sign-off"][:3] == ("Name", "Signature", "Date")
    assert "Director of Children's Services" in cover
    assert "Chief Finance Officer (s151 officer)" in cover
    unnumbered = {**shipped_inputs.meta, "la_number": None}
    cover = {
        r[0]: r[1]
        for r in sheet_rows(written(shipped_inputs, tmp_path, meta=unnumbered), "Cover")
        if r[0]
    }
    assert "add la_number" in cover["Local authority number"]


def test_every_number_is_formatted_and_every_child_is_whole(shipped_inputs, tmp_path) -> None:
    book = load_workbook(written(shipped_inputs, tmp_path))
    numbers = [
        c
        for s in book.worksheets
        for r in s.iter_rows()
        for c in r
        if isinstance(c.value, int | float)
    ]
    assert len(numbers) > 100
    assert [c.coordinate for c in numbers if c.number_format == "General"] == []
    children = [r for r in book["EHCPs"].iter_rows() if r[1].value == "Number of EHCPs"]
    values = [c.value for r in children for c in r[2:7] if c.value is not None]
    assert values and all(isinstance(v, int) for v in values)
    assert 294 in values  # 293.9 children forecast for 2022/23, as a whole number


def test_the_four_blocks_are_named_and_what_the_cycle_lacks_says_which_input(
    shipped_inputs, tmp_path
) -> None:
    summary = sheet_rows(written(shipped_inputs, tmp_path), "DSG summary")
    blocks = {r[0] for r in summary[3:] if r[0]}
    assert {"High Needs block", *OTHER_DSG_BLOCKS.values()} <= blocks
    lacking = [r for r in summary if r[0] in OTHER_DSG_BLOCKS.values() and r[-1] == ADD_BLOCKS]
    assert len(lacking) == 9 and all(v is None for r in lacking for v in r[2:7])  # never a zero
    (transfer,) = [r for r in summary if r[1] == "Block transfer to the High Needs block"]
    assert transfer[2:7] == (126, 132, 132, 132, 132)
    (carried,) = [r for r in summary if r[:2] == ("High Needs block", "Balance carried forward")]
    assert carried[2:8] == (575, 1028, 1734, 2648, 3853, "given")
    ehcps = sheet_rows(written(shipped_inputs, tmp_path), "EHCPs")
    assert [r[0] for r in ehcps if r[-1] == ADD_AGES] == [
        f"Age band: {a}" for a in AGE_BANDS.values()
    ]
    assert {r[0] for r in ehcps} >= set(DFE_CATEGORIES.values())


def test_optional_tables_fill_the_blocks_and_age_bands(
    shipped_inputs, shipped_tables, tmp_path
) -> None:
    years = ["2020/21", "2021/22"]
    blocks = pd.DataFrame(
        [
            {
                "row": 2 + i,
                "block": b,
                "year": y,
                "bfwd": 10.0 if y == years[0] else float("nan"),
                "funding": 100.0,
                "spend": 90.0,
            }
            for i, (b, y) in enumerate((b, y) for b in OTHER_DSG_BLOCKS for y in years)
        ]
    )
    # The whole DSG's opening balance is the model's: the four blocks' balances, added.
    merged, lineage = model_tables({**shipped_tables, "dsg_blocks": blocks}, draws=5)
    keys = [t.key for t in lineage["dsg.bfwd[2020/21]"].terms]
    assert len(keys) == 4 and keys[0] == "budget.bfwd[2020/21]", keys
    ages = pd.DataFrame(
        [{"age_band": a, "year": "2021/22", "plans": 10 + i} for i, a in enumerate(AGE_BANDS)]
    )
    path = written(
        shipped_inputs,
        tmp_path,
        dsg_blocks=blocks,
        dsg_opening=merged["dsg_opening"],
        ehcps_by_age=ages,
    )
    summary = sheet_rows(path, "DSG summary")
    (opening,) = [
        r for r in summary if r[0] == "Whole DSG (all four blocks)" and r[1].startswith("Opening")
    ]
    assert opening[2] == 457 + 30 and opening[-2] == "calculated"
    (funding,) = [r for r in summary if r[:2] == ("Early Years block", "Funding")]
    assert funding[2:4] == (100, 100) and funding[-2] == "given"
    ehcps = {r[0]: r for r in sheet_rows(path, "EHCPs")}
    assert ehcps["Age band: Age 11 to 15"][3] == 12


def test_both_workstreams_with_their_savings_and_the_plans_impact_by_year(
    shipped_inputs, tmp_path
) -> None:
    rows = sheet_rows(written(shipped_inputs, tmp_path), "Mitigations")
    stated = {r[0]: r[2] for r in rows if r[1] == "Saving its business case states (£000 a year)"}
    assert stated == {"Nurture Provision": 113, "Education Inclusion Partnerships (EIP)": 279}
    # The saving from places avoided is the model's own (its business case summary), which
    # agrees with the stated one within the tolerance the model checks.
    from_places = "Saving from its places avoided x cost per place (£000 a year)"
    computed = {r[0]: r[2] for r in rows if r[1] == from_places}
    assert computed.keys() == stated.keys()
    assert all(abs(computed[name] - stated[name]) <= 1 for name in stated), computed
    (impact,) = [r for r in rows if r[1] == "Recovery Plan impact"]
    assert impact[2:7] == (None, None, -33, -93, -135)


def test_a_scenario_the_template_does_not_have_is_on_its_own_sheet(
    shipped_inputs, tmp_path
) -> None:
    path = written(shipped_inputs, tmp_path)
    summary = {r[0] for r in sheet_rows(path, "DSG summary")}
    assert not any("all requests" in str(label) for label in summary)
    extra = sheet_rows(path, "Scenarios not in template")
    (carried,) = [
        r
        for r in extra
        if r[0] == SCENARIO_LABELS["all_requests_convert"] and r[1] == "Balance carried forward"
    ]
    assert carried[6] == 5095 and carried[7] == "modelled"


def test_the_narrative_is_the_papers_own_words(shipped_inputs, tmp_path) -> None:
    rows = sheet_rows(written(shipped_inputs, tmp_path), "Narrative")
    assert ("7 Financial implications", "7.13", "The placement costs ...") in rows


def test_the_same_inputs_give_the_same_bytes(shipped_inputs, tmp_path: Path) -> None:
    import time

    from highneeds.paper.formats.render import fix_zip_dates

    out = []
    for name in ("first", "second"):
        (tmp_path / name).mkdir()
        path = written(shipped_inputs, tmp_path / name)
        fix_zip_dates(path, int(CREATED.timestamp()))
        out.append(path.read_bytes())
        time.sleep(1.1)  # a clock in the file would now differ
    assert out[0] == out[1]


def test_the_narrative_tab_takes_each_numbered_paragraph_with_its_section() -> None:
    from highneeds.paper.formats.dfe_return_workbook import paper_paragraphs
    from tests.paper.formats.test_word import HTML

    first, *others = paper_paragraphs(HTML)
    assert first[:2] == ("1 Purpose of the report", "1.1")
    assert first[2].startswith("The deficit is £1m[") and first[2].endswith("a] this year.")
    assert others == [
        ("1 Purpose of the report", "1.2", "See para 1.1 and Section 2 below."),
        ("2 Financial implications", "2.1", "The table shows the forecast."),
    ]


def test_the_narrative_tab_ends_with_the_key_to_its_marks() -> None:
    from highneeds.paper.formats.dfe_return_workbook import paper_paragraphs
    from tests.paper.formats.test_word import HTML

    notes = (
        '<section class="figure-notes"><ol class="figure-note-list">'
        '<li id="figure-note-a"><span class="figure-note-letter">a</span> Modelled: an '
        "assumption.</li></ol></section></body>"
    )
    rows = paper_paragraphs(HTML.replace("</body>", notes))
    assert rows[-1] == ("Notes on the figures", "note a", "Modelled: an assumption.")


def test_the_councils_own_sen2_counts_sit_beside_the_modelled_plans(
    shipped_inputs, tmp_path
) -> None:
    rows = sheet_rows(written(shipped_inputs, tmp_path), "EHCPs")
    header = next(r for r in rows if r[0] == "Placement category or age band")
    sen2 = next(r for r in rows if "as returned to the DfE (SEN2)" in str(r[1]))
    by_year = dict(zip(header[2:7], sen2[2:7], strict=True))
    # January 2021's 261 plans fall in 2020/21; January 2022 was not yet published.
    assert by_year == {
        "2020/21": 261,
        "2021/22": None,
        "2022/23": None,
        "2023/24": None,
        "2024/25": None,
    }
    assert sen2[7] == "given"
    without = sheet_rows(written(shipped_inputs, tmp_path, history=None), "EHCPs")
    assert not any("SEN2" in str(r[1]) for r in without)


#: Text a spreadsheet would take for a formula, a command or an external reference.
FORMULAS = (
    '=HYPERLINK("https://evil.example/phish","Click")',
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1)",
    "='\\\\server\\share\\[book.xlsx]Sheet1'!A1",
)


def test_author_text_is_text_in_every_sheet_never_a_formula(shipped_inputs, tmp_path) -> None:
    import zipfile

    meta = dict(shipped_inputs.meta) | {"council": FORMULAS[0], "title": FORMULAS[5]}
    cases = shipped_inputs.tables.business_cases.copy()
    cases["intervention"] = [FORMULAS[1], FORMULAS[2]][: len(cases)]
    target = tmp_path / "return.xlsx"
    write_dfe_return(
        target,
        ReturnFigures.from_json(
            return_figures(replace(shipped_inputs.tables, business_cases=cases)).to_json()
        ),
        meta=meta,
        cycle="2022-01",
        created=CREATED,
        derivations=shipped_inputs.derivations,
        paragraphs=[("7 Financial implications", "7.1", text) for text in FORMULAS],
    )
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        xml = {n: archive.read(n).decode("utf-8") for n in names if n.endswith(".xml")}
    assert not [n for n in names if "externalLink" in n]
    assert [n for n, text in xml.items() if "<f>" in text or "<f " in text] == []
    book = load_workbook(target)
    texts = {c.value for s in book.worksheets for r in s.iter_rows() for c in r}
    assert set(FORMULAS) <= texts  # each shown as written


def test_the_whole_dsg_balance_the_council_states_fills_its_line(shipped_inputs, tmp_path) -> None:
    """Para 2.3's £822k, the whole DSG's deficit by March 2022, is figures.csv's figure whose
    dfe_return says so: the return's whole-DSG line shows it for 2021/22, given."""
    rows = sheet_rows(written(shipped_inputs, tmp_path), "DSG summary")
    header = next(r for r in rows if r[0] == "Block")
    line = next(r for r in rows if r[1] == "Balance carried forward, as the council states it")
    by_year = dict(zip(header[2:7], line[2:7], strict=True))
    assert by_year["2021/22"] == 822 and by_year["2020/21"] is None
    assert line[7] == "given"
    without = sheet_rows(written(shipped_inputs, tmp_path, stated_dsg={}), "DSG summary")
    assert not any(r[1] == "Balance carried forward, as the council states it" for r in without)


def test_every_value_has_its_lineage_with_every_optional_table_and_a_group_of_lines(
    shipped_tables,
) -> None:
    """The other blocks, the age bands, the stated savings and a group of several budget
    lines (added by the model) are printed with their lineage keys and the values they name."""
    from tests.printed_numbers import return_problems

    years = ["2020/21", "2021/22"]
    blocks = pd.DataFrame(
        [
            {"row": 2 + i, "block": b, "year": y, "bfwd": 10.0, "funding": 100.0, "spend": 90.0}
            for i, (b, y) in enumerate((b, y) for b in OTHER_DSG_BLOCKS for y in years)
        ]
    )
    ages = pd.DataFrame(
        [
            {"row": 2 + i, "age_band": a, "year": "2021/22", "plans": 10 + i}
            for i, a in enumerate(AGE_BANDS)
        ]
    )
    budget = shipped_tables["budget"]
    extra = []
    for name, amount in (("grant_in", 10.0), ("grant_out", -10.0)):  # funding, as allocation
        rows = budget[budget["line"] == "allocation"].copy()
        rows["line"], rows["label"], rows["amount"] = name, name, amount
        rows["written"] = f"{amount:g}"
        rows["row"] = budget["row"].max() + 1 + len(extra)
        extra.append(rows)
    tables = {
        **shipped_tables,
        "budget": pd.concat([budget, *extra], ignore_index=True),
        "dsg_blocks": blocks,
        "ehcps_by_age": ages,
    }
    merged, lineage = model_tables(tables, draws=5)
    assert merged["budget_groups"] is not None
    figures = return_figures(return_tables({**tables, **merged}))
    plain = {key: asdict(d) for key, d in lineage.derivations.items()}
    sheets = json.loads(figures.to_json())
    assert return_problems(sheets, plain) == []
    keys = {
        k for s in sheets["template"] for i in s["lines"] for k in i.get("line", {}).get("keys", [])
    }
    assert {"budget_groups.funding[2020/21]", "dsg.schools.funding[2021/22]"} <= keys
    assert {
        "ehcps_by_age.11_to_15[2021/22]",
        "stated_saving.eip",
        "-budget.transfer[2020/21]",
    } <= keys
