"""The Word paper as a committee system takes it: A4 with the PDF's margins, a running head
and "Page X of Y" as fields, the report's author, section and paragraph numbers as Word's own
list numbering, cross-references as REF fields to bookmarks, note marks as superscripts."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import docx
import pytest

from highneeds.paper.formats.word import write_docx
from highneeds.paper.formats.word_ooxml import NUMBERED_PARAGRAPH

#: A paper in small: an unnumbered heading, two numbered sections, a cross-reference to a
#: paragraph and to a section, and a figure's note mark.
HTML = """<!DOCTYPE html><html lang="en-GB"><body><main>
<h1>SEND Recovery Plan - Update</h1>
<section id="recommendations"><h2 id="recommendations-title">Decision Recommendations</h2>
<p>That Cabinet notes the update.</p></section>
<section class="section" id="sec-1"><h2 id="sec-1-title"><span class="section-number">1</span>
Purpose of the report</h2>
<div class="para" id="para-1-1"><span class="para-number">1.1</span><div class="para-body">
<p>The deficit is <strong>£1m</strong><sup><a class="figure-note-mark" href="#figure-note-a">
<span class="visually-hidden">note </span>a</a></sup> this year.</p></div></div>
<div class="para" id="para-1-2"><span class="para-number">1.2</span><div class="para-body">
<p>See para <a class="xref" href="#para-1-1">1.1</a> and Section <a class="xref"
href="#sec-2">2</a> below.</p></div></div></section>
<section class="section" id="sec-2"><h2 id="sec-2-title"><span class="section-number">2</span>
Financial implications</h2>
<div class="para" id="para-2-1"><span class="para-number">2.1</span><div class="para-body">
<p>The table shows the forecast.</p>
<table><caption>Table 1: The forecast<sup><a class="figure-note-mark" href="#figure-note-b"><span
class="visually-hidden">note </span>b</a></sup></caption><thead><tr><th>Year</th></tr></thead>
<tbody><tr><td>2024/25</td></tr></tbody></table></div></div></section>
</main></body></html>"""


@pytest.fixture(scope="module")
def paper(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("word") / "paper.docx"
    write_docx(
        HTML,
        target,
        "SEND Recovery Plan - Update",
        {},
        dt.datetime(2022, 1, 1),
        subject="Cabinet, January 2022",
        author="Portfolio Holder for Education and Children's Services",
        running_head="Cabinet, January 2022: SEND Recovery Plan - Update",
    )
    return target


def part(paper: Path, name: str) -> str:
    with zipfile.ZipFile(paper) as archive:
        return archive.read(name).decode("utf-8")


def test_the_page_is_a4_with_the_pdfs_margins(paper: Path) -> None:
    section = docx.Document(str(paper)).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.right_margin, section.bottom_margin)
    assert [round(m.mm) for m in (*margins, section.left_margin)] == [22, 20, 20, 20]


def test_a_running_head_and_page_x_of_y_as_fields(paper: Path) -> None:
    document = docx.Document(str(paper))
    section = document.sections[0]
    assert section.header.paragraphs[0].text == (
        "Cabinet, January 2022: SEND Recovery Plan - Update"
    )
    assert section.different_first_page_header_footer  # no running head on the cover page
    footers = [part(paper, n) for n in zipfile.ZipFile(paper).namelist() if "footer" in n]
    assert footers and all(" PAGE " in f and " NUMPAGES " in f for f in footers)


def test_the_author_is_whom_the_report_is_of_not_the_library(paper: Path) -> None:
    properties = docx.Document(str(paper)).core_properties
    assert properties.author == "Portfolio Holder for Education and Children's Services"
    assert properties.last_modified_by == properties.author
    assert "python-docx" not in part(paper, "docProps/core.xml")


def test_numbers_are_words_list_numbering_tied_to_the_styles_never_typed(paper: Path) -> None:
    document = docx.Document(str(paper))
    numbered = [p for p in document.paragraphs if p.style.name == NUMBERED_PARAGRAPH]
    assert numbered[0].text == "The deficit is £1ma this year."
    assert len(numbered) == 3
    assert not any(re.match(r"\d+(\.\d+)?\s", p.text) for p in document.paragraphs)
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "Decision Recommendations",
        "Purpose of the report",
        "Financial implications",
    ]
    numbering = part(paper, "word/numbering.xml")
    (abstract,) = re.findall(
        r'<w:abstractNum w:abstractNumId="\d+">.*?</w:abstractNum>', numbering.replace("\n", "")
    )[-1:]
    assert '<w:pStyle w:val="Heading1"/><w:lvlText w:val="%1"/>' in abstract
    assert '<w:pStyle w:val="NumberedParagraph"/><w:lvlText w:val="%1.%2"/>' in abstract
    styles = part(paper, "word/styles.xml")
    for style_id in ("Heading1", "NumberedParagraph"):
        style = re.search(rf'<w:style [^>]*w:styleId="{style_id}".*?</w:style>', styles, re.S)
        assert style and "<w:numPr>" in style.group(0), style_id
    # The heading the paper does not number is taken out of the list.
    body = part(paper, "word/document.xml")
    unnumbered = body[: body.index("Decision Recommendations")].rsplit("<w:p>", 1)[-1]
    assert '<w:numId w:val="0"/>' in unnumbered


def test_cross_references_are_ref_fields_to_bookmarks_showing_the_number(paper: Path) -> None:
    body = part(paper, "word/document.xml")
    bookmarks = set(re.findall(r'<w:bookmarkStart w:id="\d+" w:name="([^"]+)"/>', body))
    references = re.findall(r"<w:instrText[^>]*> REF (\w+) \\w \\h </w:instrText>", body)
    assert references == ["para_1_1", "sec_2"]
    assert set(references) <= bookmarks
    text = docx.Document(str(paper)).paragraphs
    assert "See para 1.1 and Section 2 below." in [p.text for p in text]


def test_a_figures_note_mark_is_a_superscript(paper: Path) -> None:
    document = docx.Document(str(paper))
    runs = [r for p in document.paragraphs for r in p.runs if r.text in ("a", "b")]
    assert [r.text for r in runs] == ["a", "b"] and all(r.font.superscript for r in runs)
    (caption,) = [p for p in document.paragraphs if p.style.name == "Caption"]
    assert caption.text == "Table 1: The forecastb" and "[" not in caption.text  # in a caption too
    bold = [r for p in document.paragraphs for r in p.runs if r.text == "£1m"]
    assert bold and bold[0].bold


def test_table_columns_fit_their_content_and_rows_do_not_split(paper: Path) -> None:
    """The labels' column takes what the figures leave (at least 30% of the text width); no
    row breaks across pages; the widths add up to the text width."""
    from highneeds.paper.formats.word_ooxml import LABELS_SHARE, MARGINS_MM, PAGE_MM

    document = docx.Document(str(paper))
    table = document.tables[-1]
    widths = [column.width for column in table.columns]
    text_width = int((PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]) * 36_000)
    assert abs(sum(widths) - text_width) < 36_000 * len(widths)  # within a mm a column
    if len(widths) > 1:
        assert widths[0] >= LABELS_SHARE * text_width - 36_000
    xml = table._tbl.xml
    assert xml.count("<w:cantSplit/>") == len(table.rows)


def test_fit_table_gives_the_figures_what_they_need_and_the_labels_the_rest() -> None:
    from highneeds.paper.formats.word_ooxml import CELL_MARGINS_EMU, CHARACTER_EMU, fit_table

    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    texts = [["", "2020/21", "2021/22"], ["A long row label of the budget table", "457", "575"]]
    fit_table(table, texts, 6_120_000)
    widths = [column.width for column in table.columns]
    need = 7 * CHARACTER_EMU + CELL_MARGINS_EMU
    twip = 635  # Word keeps widths in twentieths of a point
    assert all(abs(w - need) <= twip for w in widths[1:])
    assert abs(widths[0] - (6_120_000 - 2 * need)) <= twip
