"""The paper's committee decides its header: the keys paper.yaml must hold and may hold, and
the headings and facts the paper prints. The shipped Cabinet paper does not change."""

from __future__ import annotations

from pathlib import Path

import pytest

from highneeds.common.errors import InputDataError
from highneeds.gate.tables.paper_yaml import committee_kind, read_paper_metadata
from highneeds.paper.content.assemble import footer_html, header_html, recommendations_html

SCHOOLS_FORUM = """council: Anyshire County Council
committee: Schools Forum
meeting: 17 November 2022
title: High Needs Block Update
item: "7"
report_type: For information
author: Head of Education Finance
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "paper.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(InputDataError) as caught:
        read_paper_metadata(path)
    return caught.value.problems


class _Recommendations:
    """A renderer for recommendation items: the text as written."""

    def render_html(self, text: str, where: str, paragraph: int) -> str:
        return text


def test_a_schools_forum_item_needs_no_cabinet_keys_and_prints_none(tmp_path: Path) -> None:
    meta = read_paper_metadata(_write(tmp_path, SCHOOLS_FORUM))
    assert meta["committee_kind"] == "schools forum"
    header = header_html(meta)
    for words in ("Item:", "7", "Report type:", "For information", "Head of Education Finance"):
        assert words in header
    for words in ("Key Decision", "Cabinet Member", "Strategic Aim", "Forward Plan", "Ward"):
        assert words not in header
    # An item for information makes no recommendations, and gives no large print number.
    assert recommendations_html(meta, _Recommendations()) == ""  # type: ignore[arg-type]
    assert footer_html(meta).strip() == ""


def test_a_schools_forum_item_with_recommendations_heads_them_plainly(tmp_path: Path) -> None:
    text = SCHOOLS_FORUM + "recommendations:\n  lead: 'The Forum is asked to:'\n  items: [note]\n"
    meta = read_paper_metadata(_write(tmp_path, text))
    html = recommendations_html(meta, _Recommendations())  # type: ignore[arg-type]
    assert ">Recommendations</h2>" in html and "Decision" not in html


def test_a_schools_forum_item_without_its_own_keys_is_refused(tmp_path: Path) -> None:
    problems = _problems(_write(tmp_path, SCHOOLS_FORUM.replace('item: "7"\n', "")))
    assert problems == ["paper.yaml: key 'item' is missing: a Schools Forum paper needs it"]


def test_another_committees_key_is_refused_not_printed(tmp_path: Path) -> None:
    problems = _problems(_write(tmp_path, SCHOOLS_FORUM + "key_decision: no\n"))
    assert problems == [
        "paper.yaml: key 'key_decision': a Schools Forum paper has no key decision; remove it "
        "(or set committee_kind for a committee whose papers have one)"
    ]


def test_a_cabinet_paper_still_needs_its_keys(raw_copy: Path) -> None:
    path = raw_copy / "paper.yaml"
    path.write_text(path.read_text().replace("strategic_aim: Protecting the vulnerable\n", ""))
    assert _problems(path) == [
        "paper.yaml: key 'strategic_aim' is missing: a Cabinet paper needs it"
    ]


def test_the_shipped_cabinet_header_is_unchanged(shipped_raw: Path) -> None:
    meta = read_paper_metadata(shipped_raw / "paper.yaml")
    header = header_html(meta)
    for words in (
        "Strategic Aim:",
        "Key Decision:</th><td>Yes</td>",
        "Forward Plan Reference:</th><td>011021</td>",
        "Cabinet Member(s) Responsible:",
        'Ward Councillors:</th><td colspan="3">All</td>',
    ):
        assert words in header


@pytest.mark.parametrize(
    ("committee", "declared", "kind"),
    [
        ("Cabinet", None, "cabinet"),
        ("Schools Forum", None, "schools forum"),
        ("Children and Young People Scrutiny Panel", None, "scrutiny"),
        ("Council", None, "council"),
        ("Health and Wellbeing Board", None, "other"),
        ("Executive", "cabinet", "cabinet"),
    ],
)
def test_the_committee_kind_comes_from_its_name_or_is_declared(
    committee: str, declared: str | None, kind: str
) -> None:
    assert committee_kind(committee, declared) == kind
