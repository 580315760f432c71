"""The paper as a Word document, for committee systems that take ``.docx``.

Built with python-docx from the same HTML the PDF is laid out from, so the two cannot
disagree: the same headings, numbered paragraphs, tables and chart. Section and paragraph
numbers are Word's own list numbering, cross-references REF fields to bookmarks, the page A4
with a running head and "Page X of Y" (see :mod:`highneeds.paper.formats.word_ooxml`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

from highneeds.paper.formats import word_ooxml

_VOID = {"br", "img", "meta", "link", "hr", "input"}


@dataclass
class Node:
    """An element of the paper's HTML."""

    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        parts = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.tag == "br":
                parts.append("\n")
            elif "visually-hidden" in child.classes and child.tag == "span":
                continue  # words for screen readers beside a visible sign (a note's letter)
            elif "figure-note-mark" in child.classes:
                parts.append(f"[{child.text()}]")  # Word has no link to a note: "£3,592k[b]"
            else:
                parts.append(child.text())
        return "".join(parts)

    def find_all(self, tag: str) -> list[Node]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if child.tag == tag:
                    found.append(child)
                found += child.find_all(tag)
        return found


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def _is_numbered(link: Node) -> bool:
    """Whether a cross-reference points at a numbered paragraph or section (a REF field
    gives their numbers; any other target keeps its words)."""
    return link.attrs.get("href", "").startswith(("#para-", "#sec-"))


def parse_html(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    return builder.root


def _clean(text: str) -> str:
    return " ".join(text.split())


_SPACES = re.compile(r"\s+")


class _Writer:
    def __init__(self, chart_pngs: Mapping[str, bytes]) -> None:
        from docx import Document
        from docx.shared import Pt

        self.document = Document()
        style = self.document.styles["Normal"]
        style.font.name = "Arial"
        style.font.size = Pt(11)
        word_ooxml.add_paragraph_numbering(self.document)
        word_ooxml.set_page(self.document.sections[0])
        self.chart_pngs = chart_pngs
        self.context: list[str] = []  # classes of the enclosing elements
        self.section_id = ""  # the id of the section being written (#sec-7)
        self.bookmarks = 0

    def _bookmark(self, paragraph: Any, anchor: str) -> None:
        self.bookmarks += 1
        word_ooxml.bookmark(paragraph, word_ooxml.bookmark_name(anchor), self.bookmarks)

    def inline(self, paragraph: Any, node: Node) -> None:
        """The node's text as runs of ``paragraph``: a cross-reference to a paragraph or a
        section as a REF field to its bookmark, a figure's note mark as a superscript,
        emphasis kept, white space as HTML collapses it."""
        pending = [""]  # text not yet written, so that spaces collapse across elements

        def flush() -> None:
            text = _SPACES.sub(" ", pending[0])
            if not paragraph.runs or not paragraph.text:
                text = text.lstrip()
            elif paragraph.text.endswith(" "):
                text = text.lstrip(" ")
            if text:
                paragraph.add_run(text)
            pending[0] = ""

        def walk(item: Node | str) -> None:
            if isinstance(item, str):
                pending[0] += item
                return
            classes = item.classes
            if classes & {"visually-hidden", "para-number", "section-number"}:
                return  # words for screen readers only; numbers Word's list writes itself
            if item.tag == "br":
                flush()
                paragraph.add_run().add_break()  # a line break within the paragraph
            elif item.tag == "a" and "xref" in classes and _is_numbered(item):
                flush()
                target = word_ooxml.bookmark_name(item.attrs["href"][1:])
                word_ooxml.add_field(paragraph, f"REF {target} \\w \\h", _clean(item.text()))
            elif "figure-note-mark" in classes:
                flush()
                paragraph.add_run(_clean(item.text())).font.superscript = True
            elif item.tag in ("strong", "b", "em", "i"):
                flush()
                start = len(paragraph.runs)
                for child in item.children:
                    walk(child)
                flush()
                for run in paragraph.runs[start:]:
                    if item.tag in ("strong", "b"):
                        run.bold = True
                    else:
                        run.italic = True
            else:
                for child in item.children:
                    walk(child)

        for child in node.children:
            walk(child)
        flush()
        if paragraph.runs:
            last = paragraph.runs[-1]
            last.text = last.text.rstrip()

    def block(self, node: Node) -> None:
        """A block of the paper's HTML as Word's: headings, paragraphs (numbered ones in their
        style), tables, figures, lists and quotes; anything else by its children."""
        tag, classes = node.tag, node.classes
        if tag in ("script", "style", "head", "title"):
            return
        if "running-head" in classes or "skip-link" in classes:
            return
        if tag == "section":
            self.section_id = node.attrs.get("id", "")
        if tag in ("h1", "h2", "h3"):
            self._heading(node)
        elif tag == "p":
            self._paragraph(node, center="paper-header" in self.context)
        elif tag == "div" and "para" in classes:
            self._numbered(node)
        elif tag in self._BLOCKS:
            getattr(self, self._BLOCKS[tag])(node)
        else:
            for part in node.children:
                if isinstance(part, Node):
                    self.context.append(" ".join(part.classes))
                    self.block(part)
                    self.context.pop()

    #: The blocks written by a method of their own, by tag.
    _BLOCKS: ClassVar[dict[str, str]] = {
        "table": "_table",
        "figure": "_figure",
        "ul": "_list",
        "ol": "_list",
        "blockquote": "_quote",
    }

    def _heading(self, node: Node) -> None:
        """The paper's title (h1), a numbered section (h2: bookmarked for cross-references;
        one without a number, such as the recommendations, left unnumbered) or a subheading."""
        level = {"h1": 0, "h2": 1, "h3": 2}[node.tag]
        heading = self.document.add_heading("", level=level)
        self.inline(heading, node)
        if node.tag != "h2":
            return
        numbered = any(isinstance(c, Node) and "section-number" in c.classes for c in node.children)
        if not numbered:
            word_ooxml.unnumbered(heading)
        elif self.section_id:
            self._bookmark(heading, self.section_id)

    def _quote(self, node: Node) -> None:
        for child in node.find_all("p"):
            self.inline(self.document.add_paragraph(style="Quote"), child)

    def _paragraph(self, node: Node, center: bool = False) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        if not _clean(node.text()):
            return
        paragraph = self.document.add_paragraph()
        self.inline(paragraph, node)
        if center:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def _numbered(self, node: Node) -> None:
        """A numbered paragraph: its first paragraph in the Numbered Paragraph style (Word
        writes "7.13"), bookmarked for cross-references; what follows it as it comes."""
        body = next(
            (c for c in node.children if isinstance(c, Node) and "para-body" in c.classes), None
        )
        first = True
        for child in body.children if body else []:
            if not isinstance(child, Node):
                continue
            if child.tag == "p" and first:
                paragraph = self.document.add_paragraph(style=word_ooxml.NUMBERED_PARAGRAPH)
                self.inline(paragraph, child)
                self._bookmark(paragraph, node.attrs.get("id", ""))
                first = False
            else:
                self.block(child)

    def _list(self, node: Node) -> None:
        style = "List Number" if node.tag == "ol" else "List Bullet"
        for item in node.children:
            if isinstance(item, Node) and item.tag == "li":
                self.inline(self.document.add_paragraph(style=style), item)

    def _table(self, node: Node) -> None:
        """A table with its caption: its head's rows (or, without one, its first row) marked
        as header rows, which Word repeats on each page and passes to assistive technology;
        spanned cells merged; its columns fitted to the page."""
        caption = node.find_all("caption")
        if caption:
            self.inline(self.document.add_paragraph(style="Caption"), caption[0])
        rows = [
            r for r in node.find_all("tr") if not any(t.tag == "table" for t in r.find_all("table"))
        ]
        width = max((sum(_span(c) for c in _cells(r)) for r in rows), default=1)
        table = self.document.add_table(rows=0, cols=width)
        table.style = "Table Grid"
        head = [r for part in node.find_all("thead") for r in part.find_all("tr")] or rows[:1]
        texts: list[list[str]] = []
        for row in rows:
            cells = _cells(row)
            texts.append([_clean(c.text()) if _span(c) == 1 else "" for c in cells])
            added = table.add_row()
            if any(row is h for h in head):
                _mark_header_row(added)
            column = 0
            for cell in cells:
                target = added.cells[column]
                if _span(cell) > 1:
                    target = target.merge(added.cells[min(column + _span(cell), width) - 1])
                self._cell(target, cell)
                column += _span(cell)
        section = self.document.sections[-1]
        page = (section.page_width or 0) - (section.left_margin or 0) - (section.right_margin or 0)
        word_ooxml.fit_table(table, texts, int(page))

    def _cell(self, target: Any, cell: Node) -> None:
        """One cell's content: a list as lines, else its text with its links and marks; a
        number right-aligned, a heading cell bold."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        lists = cell.find_all("li")
        paragraph = target.paragraphs[0]
        if lists:
            target.text = "\n".join(_clean(li.text()) for li in lists)
        else:
            self.inline(paragraph, cell)
        if "num" in cell.classes:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if cell.tag == "th":
            for run in paragraph.runs:
                run.bold = True

    def _figure(self, node: Node) -> None:
        from docx.shared import Cm

        image = node.find_all("img")
        png = self.chart_pngs.get(node.attrs.get("id", ""))
        if png is not None:
            picture = self.document.add_picture(io.BytesIO(png), width=Cm(16))
            if image and image[0].attrs.get("alt"):  # the figure's text alternative
                picture._inline.docPr.set("descr", image[0].attrs["alt"])
        if png is None and image and image[0].attrs.get("alt"):
            # No picture to carry it: the description stands in its place. With the picture,
            # it is the picture's alternative text only, as in the HTML (printed under the
            # chart, its figures were figures the paper does not print, unmarked).
            self.document.add_paragraph(image[0].attrs["alt"])
        caption = node.find_all("figcaption")
        if caption:
            self.inline(self.document.add_paragraph(style="Caption"), caption[0])


def write_docx(
    html: str,
    target: Path,
    title: str,
    chart_pngs: Mapping[str, bytes],
    date: datetime,
    subject: str = "",
    author: str = "",
    running_head: str = "",
) -> None:
    """Write the paper's HTML as a Word document: headings, numbered paragraphs, tables, charts.

    ``chart_pngs`` holds each chart's PNG by its figure's id (each picture carries the
    figure's text alternative); ``date`` (the cycle's, not the clock's) is the document's
    created and modified date; ``author`` (whom the report is of) its author and last editor;
    ``running_head`` the header of every page after the first. The document, its styles and
    its properties are en-GB.
    """
    writer = _Writer(chart_pngs)
    tree = parse_html(html)
    body = tree.find_all("main") or tree.find_all("body") or [tree]
    writer.block(body[0])
    word_ooxml.set_header_and_footer(writer.document.sections[0], running_head or title)
    _set_language(writer.document, "en-GB")
    properties = writer.document.core_properties
    properties.title = title
    properties.subject = subject
    properties.author = properties.last_modified_by = author or title
    properties.comments = ""  # python-docx's template says "generated by python-docx"
    properties.language = "en-GB"
    properties.created = properties.modified = date.replace(tzinfo=None)
    properties.revision = 1
    writer.document.save(str(target))


def _cells(row: Node) -> list[Node]:
    """A table row's cells, heading and data."""
    return [c for c in row.children if isinstance(c, Node) and c.tag in ("td", "th")]


def _span(cell: Node) -> int:
    return int(cell.attrs.get("colspan", "1"))


def _mark_header_row(row: Any) -> None:
    """Mark a Word table row as a header row (``w:tblHeader``)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _set_language(document: Any, language: str) -> None:
    """Make ``language`` the language of the document's default run properties (python-docx's
    template says en-US), so that spelling and screen readers take it as that language."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = run_defaults.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        run_defaults.append(lang)
    lang.set(qn("w:val"), language)
