"""What a committee system needs of the Word paper that python-docx has no call for, written
as Word's own XML: paragraph numbering as a multilevel list tied to the styles (so a council
template that restyles the headings does not number them twice), bookmarks and REF fields for
cross-references, PAGE and NUMPAGES fields, and an A4 page with the PDF's margins.

Every element is built with python-docx's ``OxmlElement``: no text is ever parsed as XML.
"""

from __future__ import annotations

from typing import Any

#: The paragraph style of a numbered paragraph ("7.13"), numbered by the list at level 2;
#: Heading 1 is numbered at level 1 ("7").
NUMBERED_PARAGRAPH = "Numbered Paragraph"
#: The PDF's page (paper.css ``@page``): A4, margins top 22 mm, the others 20 mm.
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 22, "right": 20, "bottom": 20, "left": 20}
#: How far a numbered paragraph's text sits from the margin, in twentieths of a point (1.5 cm).
_HANGING_TWIPS = 850


def _element(tag: str, **attributes: str) -> Any:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    return element


def _level(ilvl: int, style_id: str, text: str) -> Any:
    level = _element("w:lvl", ilvl=str(ilvl))
    level.append(_element("w:start", val="1"))
    level.append(_element("w:numFmt", val="decimal"))
    level.append(_element("w:pStyle", val=style_id))
    level.append(_element("w:lvlText", val=text))
    level.append(_element("w:lvlJc", val="left"))
    paragraph = _element("w:pPr")
    paragraph.append(_element("w:ind", left=str(_HANGING_TWIPS), hanging=str(_HANGING_TWIPS)))
    level.append(paragraph)
    return level


def _number_style(style: Any, num_id: int, ilvl: int) -> None:
    """Tie a paragraph style to level ``ilvl`` of list ``num_id`` (``w:numPr`` in its pPr)."""
    properties = style.element.get_or_add_pPr()
    numbering = _element("w:numPr")
    numbering.append(_element("w:ilvl", val=str(ilvl)))
    numbering.append(_element("w:numId", val=str(num_id)))
    properties.insert(0, numbering)


def add_paragraph_numbering(document: Any) -> None:
    """Number the paper as Word numbers a council report: one multilevel list whose level 1
    numbers Heading 1 (``7``) and level 2 the Numbered Paragraph style (``7.13``, starting
    again under each heading). The numbers are the list's, never typed text."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml.ns import qn

    styles = document.styles
    paragraph_style = styles.add_style(NUMBERED_PARAGRAPH, WD_STYLE_TYPE.PARAGRAPH)
    paragraph_style.base_style = styles["Normal"]
    heading = styles["Heading 1"]
    numbering = document.part.numbering_part.element
    taken = [int(n.get(qn("w:abstractNumId"))) for n in numbering.findall(qn("w:abstractNum"))]
    abstract_id = max(taken, default=0) + 1
    num_ids = [int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))]
    num_id = max(num_ids, default=0) + 1
    abstract = _element("w:abstractNum", abstractNumId=str(abstract_id))
    abstract.append(_element("w:multiLevelType", val="multilevel"))
    abstract.append(_level(0, heading.style_id, "%1"))
    abstract.append(_level(1, paragraph_style.style_id, "%1.%2"))
    first_num = numbering.find(qn("w:num"))
    if first_num is None:
        numbering.append(abstract)
    else:
        first_num.addprevious(abstract)  # every abstractNum comes before the first num
    instance = _element("w:num", numId=str(num_id))
    instance.append(_element("w:abstractNumId", val=str(abstract_id)))
    numbering.append(instance)
    _number_style(heading, num_id, 0)
    _number_style(paragraph_style, num_id, 1)


def unnumbered(paragraph: Any) -> None:
    """Take a paragraph of a numbered style out of the list (``numId 0``): a heading such as
    "Decision Recommendations" that the paper does not number."""
    properties = paragraph._p.get_or_add_pPr()
    numbering = _element("w:numPr")
    numbering.append(_element("w:numId", val="0"))
    properties.insert(0, numbering)


def bookmark(paragraph: Any, name: str, number: int) -> None:
    """Put bookmark ``name`` (id ``number``) around the paragraph's content, for REF fields."""
    start = _element("w:bookmarkStart", id=str(number), name=name)
    paragraph._p.get_or_add_pPr().addnext(start)
    paragraph._p.append(_element("w:bookmarkEnd", id=str(number)))


def add_field(paragraph: Any, instruction: str, shown: str) -> None:
    """A field in ``paragraph`` (``REF para_7_13 \\w \\h``, ``PAGE``) whose result, until Word
    or LibreOffice updates it, reads ``shown``."""
    from docx.oxml.ns import qn

    def run_with(child: Any) -> None:
        run = paragraph.add_run()
        run._r.append(child)

    run_with(_element("w:fldChar", fldCharType="begin"))
    code = _element("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    run_with(code)
    run_with(_element("w:fldChar", fldCharType="separate"))
    paragraph.add_run(shown)
    run_with(_element("w:fldChar", fldCharType="end"))


def bookmark_name(anchor: str) -> str:
    """A bookmark name Word accepts for an HTML anchor (``para-7-13`` -> ``para_7_13``):
    letters, digits and underscores, at most 40 characters, starting with a letter."""
    name = "".join(c if c.isalnum() else "_" for c in anchor)[:40]
    return name if name[:1].isalpha() else f"b{name}"[:40]


def set_page(section: Any) -> None:
    """A4, with the PDF's margins."""
    from docx.shared import Mm

    section.page_width, section.page_height = (Mm(v) for v in PAGE_MM)
    section.top_margin = Mm(MARGINS_MM["top"])
    section.right_margin = Mm(MARGINS_MM["right"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])


def set_header_and_footer(section: Any, running_head: str) -> None:
    """The meeting and title at the head of every page but the first (as in the PDF), and
    "Page X of Y" as PAGE and NUMPAGES fields at the foot of every page."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    section.different_first_page_header_footer = True
    section.header.paragraphs[0].text = running_head
    for footer in (section.footer, section.first_page_footer):
        paragraph = footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run("Page ")
        add_field(paragraph, "PAGE", "1")
        paragraph.add_run(" of ")
        add_field(paragraph, "NUMPAGES", "1")


#: A character of the paper's 11 pt text, and a cell's own margins, in EMU (1 cm = 360,000).
CHARACTER_EMU = 100_000  # wide enough for DejaVu Sans, LibreOffice's Arial where none is
CELL_MARGINS_EMU = 150_000
#: The share of the width the first column (the row labels) keeps at least.
LABELS_SHARE = 0.3


def fit_table(table: Any, texts: list[list[str]], width_emu: int) -> None:
    """Fit a table's columns to their content across ``width_emu`` (the page's text width):
    every column after the first as wide as its longest text needs (a figure never breaks),
    the row labels the rest, so they take a line or two rather than four to seven in equal
    columns (in proportion, where the figures would leave the labels too little); and keep
    each row on one page (``w:cantSplit``)."""
    from docx.oxml import OxmlElement

    columns = max((len(row) for row in texts), default=0)
    if not columns:
        return
    needed = [
        max([len(row[i]) for row in texts if i < len(row)] + [1]) * CHARACTER_EMU + CELL_MARGINS_EMU
        for i in range(columns)
    ]
    if columns == 1:
        widths = [width_emu]
    else:
        # The labels the rest, and at least their share; the figures what is left, each in
        # proportion to what it needs, where they need more.
        labels = max(width_emu - sum(needed[1:]), int(width_emu * LABELS_SHARE))
        scale = min(1.0, (width_emu - labels) / sum(needed[1:]))
        widths = [labels, *(int(n * scale) for n in needed[1:])]
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=False):
        column.width = width
    for row in table.rows:
        column = 0
        for cell in row._tr.tc_lst:  # a merged cell spans its columns' widths
            span = cell.grid_span
            cell.width = sum(widths[column : column + span])
            column += span
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
