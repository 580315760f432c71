"""The auditor's edition: each paragraph's figures listed under it and linked to derivations
that go down to input cells; every text from an input escaped."""

from __future__ import annotations

from bs4 import BeautifulSoup

from highneeds.paper.formats.audit_edition import audit_edition

PAPER = (
    '<!DOCTYPE html><html lang="en-GB"><head><title>Paper</title></head><body><main id="main">'
    '<div class="para" id="para-7-13"><span class="para-number">7.13</span>'
    '<div class="para-body"><p>£3,853k and £135k.</p></div></div></main></body></html>'
)


def _cell(file: str, row: int, column: str, text: str, value: float) -> dict:
    cell = {"file": file, "row": row, "column": column, "text": text}
    return {
        "label": text,
        "value": value,
        "rule": "input",
        "formula": "",
        "terms": [],
        "cell": cell,
        "computed_in": "",
    }


def _derivations() -> dict:
    cells = {
        "b!2!2024/25": _cell("budget.csv", 2, "2024/25", "2,648", 2648.0),
        "b!3!2024/25": _cell("budget.csv", 3, "2024/25", "1,205", 1205.0),
        "b!7!2024/25": _cell("budget.csv", 7, "2024/25", "(135)", -135.0),
    }
    return cells | {
        "budget.impact[2024/25]": {
            "label": "Impact <script>alert(1)</script>",
            "value": -135.0,
            "rule": "same",
            "formula": "",
            "terms": [{"label": "impact", "key": "b!7!2024/25", "sign": 1}],
            "cell": None,
            "computed_in": "",
        },
        "unmitigated.cfwd[2024/25]": {
            "label": "Deficit 2024/25",
            "value": 3853.0,
            "rule": "sum",
            "formula": "B/Fwd + movement",
            "computed_in": "02_deficit_model.ipynb: Scenarios",
            "cell": None,
            "terms": [
                {"label": "B/Fwd", "key": "b!2!2024/25", "sign": 1},
                {"label": "movement", "key": "b!3!2024/25", "sign": 1},
            ],
        },
    }


FIGURES = [
    {"id": "a", "text": "£3,853k", "paragraph": "7.13", "traces": "unmitigated.cfwd[2024/25]"},
    {"id": "b", "text": "£135k", "paragraph": "7.13", "traces": "-budget.impact[2024/25]"},
    {"id": "c", "text": "£3,853k", "paragraph": None, "traces": "unmitigated.cfwd[2024/25]"},
]


def test_figures_are_listed_under_their_paragraph_and_linked_to_their_derivation() -> None:
    soup = BeautifulSoup(audit_edition(PAPER, FIGURES, _derivations()), "html.parser")
    assert soup.title.string == "Auditor's edition: Paper"
    listed = soup.find(id="para-7-13").find(class_="audit-figures")
    items = [li.get_text(" ", strip=True) for li in listed.find_all("li")]
    assert items[0].startswith("£3,853k: Deficit 2024/25; how it was computed")
    assert "(printed as its negative)" in items[1]
    assert "from budget.csv, row 7, column '2024/25'" in items[1]
    derivation = soup.find(id=listed.find("a")["href"][1:])
    text = derivation.get_text(" ", strip=True)
    assert "B/Fwd + movement: 2,648 + 1,205 = 3,853" in text
    assert "from budget.csv, row 2, column '2024/25'" in text
    assert "02_deficit_model.ipynb: Scenarios" in text
    targets = {tag["id"] for tag in soup.find_all(id=True)}
    assert all(a["href"][1:] in targets for a in soup.find_all("a", href=True))
    assert "Figures outside the numbered paragraphs" in soup.get_text()


def test_every_text_from_an_input_is_escaped() -> None:
    html = audit_edition(PAPER, FIGURES, _derivations())
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_claims_the_run_warned_of_are_listed_first_and_escaped() -> None:
    claim = "narrative.md, para 2.5 (line 27): states c£500k a year <b>x</b>"
    soup = BeautifulSoup(audit_edition(PAPER, FIGURES, _derivations(), [claim]), "html.parser")
    listed = soup.find(class_="audit-claims")
    assert [li.get_text() for li in listed.find_all("li")] == [claim]
    assert listed.find("b") is None
    quiet = BeautifulSoup(audit_edition(PAPER, FIGURES, _derivations()), "html.parser")
    assert quiet.find(class_="audit-claims") is None
    assert "No claim in the narrative" in quiet.get_text()


def test_each_input_cell_links_to_the_runs_archived_input_file() -> None:
    soup = BeautifulSoup(
        audit_edition(PAPER, FIGURES, _derivations(), inputs=["budget.csv", "figures.csv"]),
        "html.parser",
    )
    links = {a.get_text(): a["href"] for a in soup.find_all("a") if "inputs/" in a["href"]}
    assert links["budget.csv, row 7, column '2024/25'"] == "inputs/budget.csv"
    assert links["budget.csv, row 2, column '2024/25'"] == "inputs/budget.csv"
    # A file the run did not archive is named, not linked.
    unlinked = BeautifulSoup(audit_edition(PAPER, FIGURES, _derivations()), "html.parser")
    assert not [a for a in unlinked.find_all("a") if "inputs/" in a["href"]]
