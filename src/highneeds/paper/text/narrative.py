"""The paper's narrative: Markdown with numbered sections and paragraphs, labels,
cross-references and figure placeholders.

Numbering is fixed from the structure of the Markdown before any placeholder is filled, so a
cross-reference always names the paragraph it points at, and a reference to a label that does
not exist stops the render with an error naming it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jinja2
from markdown_it import MarkdownIt

from highneeds.common.control_characters import control_line
from highneeds.common.errors import NarrativeError
from highneeds.common.templating import Markup, render_template
from highneeds.domain.typed_figures import (
    arithmetic_advice,
    find_typed_figures,
    matching_placeholder,
    placeholder_arithmetic,
    placeholders,
    strip_comments,
)
from highneeds.paper.text.figure_notes import FigureNotes
from highneeds.paper.text.figure_trace import NOTE_HELPER, marked, recorded_figures
from highneeds.paper.text.placeholder_help import explain_unknown
from highneeds.paper.text.sandbox import NarrativeSandbox, SecurityError
from highneeds.paper.text.sanitise import ALLOWED_ELEMENTS, active_content, clean

_LABEL = r"[a-z0-9][a-z0-9-]*"
_LABEL_RE = re.compile(_LABEL)
_PARA_LABEL_RE = re.compile(rf"^\{{#(?P<label>{_LABEL})\}}\s*")
#: A table or chart on a line of its own: exactly one call with one quoted name.
_INSERT_RE = re.compile(r"""^\{\{\s*(table|chart)\(\s*("[^"]*"|'[^']*')\s*\)\s*\}\}$""")
_LIST_RE = re.compile(r"^([-*+]|\d+[.)])\s")


@dataclass
class Block:
    """One block of the narrative as written: a paragraph, list, quote, insert or sub-heading."""

    kind: str
    text: str
    line: int
    label: str | None = None
    number: str | None = None


@dataclass
class Section:
    """A numbered section and its blocks."""

    number: int
    title: str
    line: int
    label: str | None
    blocks: list[Block] = field(default_factory=list)
    #: The paragraphs numbered so far.
    paragraphs: int = 0


@dataclass
class Narrative:
    """The parsed narrative: sections with numbered paragraphs, and what each label numbers."""

    source: str
    sections: list[Section]
    labels: dict[str, str]


def _split_blocks(text: str) -> list[tuple[int, str]]:
    """Split text into blocks separated by blank lines, each with its first line number."""
    blocks: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line.rstrip())
        elif current:
            blocks.append((start, "\n".join(current)))
            current = []
    if current:
        blocks.append((start, "\n".join(current)))
    return blocks


def _heading(line: str, marks: str) -> tuple[str, str | None] | None:
    """A heading line (``## Title {#label}``, ``### Title``): its title and label, or None.
    Read by position, in time linear in the line (no pattern backtracks over its spaces)."""
    rest = line[len(marks) :]
    if not line.startswith(marks) or not rest[:1].isspace():
        return None
    text = rest.strip()
    if not text:
        return None
    opening = text.rfind("{#")
    if text.endswith("}") and opening > 0 and _LABEL_RE.fullmatch(text[opening + 2 : -1]):
        title = text[:opening].rstrip()
        if title:
            return title, text[opening + 2 : -1]
    return text, None


def parse_narrative(
    text: str, source: str = "narrative.md", figures: Mapping[str, object] | None = None
) -> Narrative:
    """Parse the narrative's structure and number its sections and paragraphs.

    Raises :class:`NarrativeError` for text before the first section, a repeated label, or
    a figure typed into the prose rather than bound to data (naming, where ``figures`` has
    exactly one figure of that value, the placeholder that prints it).
    """
    control = control_line(text)
    if control is not None:
        raise NarrativeError(
            f"{source} line {control[0]}: holds the invisible control character {control[1]}, "
            "which no paper format can print; delete it (it often comes with pasted text)"
        )
    typed = find_typed_figures(text)
    if typed:

        def named(line: int, figure: str) -> str:
            match = matching_placeholder(figure, figures or {})
            return f"line {line}: '{figure}'" + (f" (write {match})" if match else "")

        raise NarrativeError(
            f"{source}: figures must come from the data, not be typed into the prose: "
            + "; ".join(named(line, figure) for line, figure in typed)
            + ". Use a placeholder such as {{ fig.name | gbp_k }}."
        )
    computed = placeholder_arithmetic(text)
    if computed:
        line, placeholder, operator = computed[0]
        raise NarrativeError(f"{source} line {line}: {arithmetic_advice(placeholder, operator)}")
    sections: list[Section] = []
    labels: dict[str, str] = {}
    label_lines: dict[str, int] = {}

    def claim(label: str, number: str, line: int) -> None:
        if label in labels:
            raise NarrativeError(
                f"{source} line {line}: the label '{label}' is already used on line "
                f"{label_lines[label]}; each label must be unique"
            )
        labels[label] = number
        label_lines[label] = line

    for line, block in _split_blocks(strip_comments(text)):
        first = block.splitlines()[0]
        if first.startswith("# "):
            raise NarrativeError(
                f"{source} line {line}: '# ' headings are not used; the title comes from "
                "paper.yaml and sections start with '## '"
            )
        section_match = _heading(first, "##") if first.startswith("## ") else None
        if section_match:
            section = Section(len(sections) + 1, section_match[0], line, section_match[1])
            if section.label:
                claim(section.label, str(section.number), line)
            sections.append(section)
            continue
        if not sections:
            raise NarrativeError(
                f"{source} line {line}: text before the first section; start one with '## Title'"
            )
        section = sections[-1]
        subheading = _heading(first, "###")
        if subheading:
            section.blocks.append(Block("subheading", subheading[0], line))
        elif _LIST_RE.match(first):
            section.blocks.append(Block("list", block, line))
        elif first.startswith(">"):
            section.blocks.append(Block("quote", block, line))
        elif _INSERT_RE.match(block.strip()):
            section.blocks.append(Block("insert", block.strip(), line))
        else:
            label_match = _PARA_LABEL_RE.match(block)
            label = label_match["label"] if label_match else None
            body = block[label_match.end() :] if label_match else block
            section.paragraphs += 1  # counted as they come: never by going over the others
            number = f"{section.number}.{section.paragraphs}"
            if label:
                claim(label, number, line)
            section.blocks.append(Block("paragraph", body, line, label, number))
    if not sections:
        raise NarrativeError(f"{source}: the narrative has no sections")
    return Narrative(source, sections, labels)


def _where(source: str, line: int) -> str:
    """'narrative.md line 12', or just the source when the text has no line of its own."""
    return f"{source} line {line}" if line else source


def anchor(number: str) -> str:
    """The HTML id of a numbered section ('7' -> 'sec-7') or paragraph ('4.2' -> 'para-4-2')."""
    return f"para-{number.replace('.', '-')}" if "." in number else f"sec-{number}"


class CrossReferences:
    """Resolves labels to paragraph or section numbers, as links, for ``{{ ref(...) }}``."""

    def __init__(self, labels: Mapping[str, str], source: str) -> None:
        self.labels = labels
        self.source = source
        self.line = 0

    def _link(self, label: str) -> Markup:
        if label not in self.labels:
            close = difflib.get_close_matches(label, list(self.labels), n=3)
            hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
            raise NarrativeError(
                f"{_where(self.source, self.line)}: cross-reference to unknown label "
                f"'{label}'{hint}"
            )
        number = self.labels[label]
        return Markup('<a class="xref" href="#{}">{}</a>').format(anchor(number), number)

    def __call__(self, first: str, last: str | None = None) -> Markup:
        if last is None:
            return self._link(first)
        return Markup(" – ").join([self._link(first), self._link(last)])


class TextRenderer:
    """Fills placeholders and cross-references in narrative or paper text, in the sandbox."""

    def __init__(
        self,
        narrative: Narrative,
        context: Mapping[str, Any],
        inserts: Mapping[str, Callable[[str], str]] | None = None,
        notes: FigureNotes | None = None,
    ) -> None:
        self.env = NarrativeSandbox()
        self.refs = CrossReferences(narrative.labels, narrative.source)
        helpers = {name: _returns_markup(insert) for name, insert in (inserts or {}).items()}
        #: The notes on derived figures, whose marks follow the figures they cover.
        self.notes = notes
        if notes is not None:
            helpers[NOTE_HELPER] = notes.mark
        self.env.allow_helpers([self.refs, *helpers.values()])
        self.globals = {**context, "ref": self.refs, **helpers}
        self.figures: list[dict[str, Any]] = []

    def render(self, text: str, source: str, line: int, where: str | None = None) -> str:
        """Render one piece of text, naming ``source`` and ``line`` in any error.

        With ``where`` (e.g. ``para 2.3``), each figure placeholder's printed value is also
        recorded in :attr:`figures`, so that runs can be compared figure by figure.
        """
        self.refs.source, self.refs.line = source, line
        try:
            # Parsed (and refused if it repeats or grows text) before any part of it runs.
            template = self.env.from_string(text)
            if where is not None:
                self.figures += recorded_figures(text, where, self.env, self.globals, self.notes)
                if self.notes is not None:
                    text_with_marks = marked(text, self.env, self.globals, self.notes)
                    return self.env.from_string(text_with_marks).render(self.globals)
            return template.render(self.globals)
        except NarrativeError:
            raise
        except jinja2.TemplateSyntaxError as exc:
            raise NarrativeError(
                f"{_where(source, line + exc.lineno - 1 if line else 0)}: placeholder syntax "
                f"error: {exc.message}"
            ) from None
        except SecurityError as exc:
            placeholder, at = self._culprit(text, line)
            raise NarrativeError(
                f"{_where(source, at)}: the placeholder {placeholder} is not allowed: {exc} "
                "Placeholders may only name the documented figures and values, the documented "
                "filters, and ref(), table() and chart() (see docs/narrative.md)."
            ) from None
        except Exception as exc:  # undefined names, missing years, wrong types: the author's
            placeholder, at = self._culprit(text, line)
            unknown = explain_unknown(placeholder, self.globals)
            if unknown:
                raise NarrativeError(
                    f"{_where(source, at)}: {unknown} (in {placeholder})"
                ) from None
            raise NarrativeError(
                f"{_where(source, at)}: a placeholder cannot be filled: {exc} (in {placeholder})"
            ) from None

    def _culprit(self, text: str, line: int) -> tuple[str, int]:
        """The first placeholder of ``text`` that fails on its own, and its line."""
        for start, placeholder in placeholders(text):
            at = line + text[:start].count("\n") if line else 0
            if placeholder.startswith("{%"):
                return placeholder, at
            try:
                self.env.from_string(placeholder).render(self.globals)
            except Exception:
                return placeholder, at
        return "(a placeholder)", line

    def render_html(
        self,
        text: str,
        source: str,
        line: int,
        where: str | None = None,
        markdown: str | None = None,
    ) -> Markup:
        """Render text an author wrote to safe HTML: placeholders filled in the sandbox, then
        Markdown (``"inline"`` or ``"block"``) if asked, then refused if it holds anything
        outside the allow-list (:mod:`highneeds.paper.text.sanitise`), then cleaned by nh3. The
        HTML the pipeline's own helpers print (cross-references, note marks) is kept aside
        while the author's is checked, then put back: only the pipeline's HTML carries a class,
        so no author can make one format say what another does not."""
        self.env.slots = slots = dict[str, str]()
        try:
            rendered = self.render(text, source, line, where)
        finally:
            self.env.slots = None
        html = str(sanitised(to_html(rendered, markdown), text, source, line))
        for token, inserted in slots.items():
            html = html.replace(token, inserted)
        return Markup(html)


def to_html(text: str, markdown: str | None) -> str:
    """Markdown to HTML: ``"inline"`` (a paragraph's body), ``"block"`` (lists, quotes) or none."""
    if markdown == "inline":
        return _MARKDOWN.renderInline(text)
    if markdown == "block":
        return _MARKDOWN.render(text)
    return text


def sanitised(html: str, written: str, source: str, line: int) -> Markup:
    """``html`` made from the author's ``written`` text, refused (naming the element and its
    line) if it holds anything outside the allow-list, else cleaned by nh3."""
    problems = active_content(html)
    if problems:
        element, problem = problems[0]
        raise NarrativeError(
            f"{_where(source, _line_of(written, element, line))}: {problem}. A paper that goes "
            "on a public website holds no active content: the text may use "
            + ", ".join(f"<{e}>" for e in ALLOWED_ELEMENTS)
            + " and links to https:, http:, mailto:, tel: or #anchors in the paper."
        )
    return Markup(clean(html))


def _returns_markup(insert: Callable[[str], str]) -> Callable[[str], Markup]:
    """A table or chart helper whose HTML (built by the pipeline) is not escaped again."""

    def helper(name: str) -> Markup:
        return Markup(insert(name))

    return helper


def _line_of(text: str, element: str, line: int) -> int:
    """The line of ``text`` that holds ``<element`` (or a Markdown image), else ``line``."""
    if not line:
        return 0
    needles = [f"<{element}".lower()] + (["!["] if element == "img" else [])
    for offset, row in enumerate(text.splitlines()):
        if any(n in row.lower() for n in needles):
            return line + offset
    return line


_MARKDOWN = MarkdownIt("commonmark", {"html": True, "typographer": False})


def render_sections(narrative: Narrative, renderer: TextRenderer) -> list[str]:
    """Render each section to HTML: a heading, then hanging-numbered paragraphs.

    Lists, quotes and inserts (tables, charts) sit inside the paragraph before them.
    """
    out: list[str] = []
    source = narrative.source
    for section in narrative.sections:
        items: list[dict[str, Any]] = []
        paragraph: dict[str, Any] | None = None
        for block in section.blocks:
            recorded = len(renderer.figures)
            if block.kind == "insert":  # one table() or chart() call: the pipeline's own HTML
                html = Markup(renderer.render(block.text, source, block.line))
                if paragraph is not None:
                    paragraph["extras"].append(html)
                else:
                    items.append({"kind": "html", "html": html})
            elif block.kind == "paragraph":
                where = f"para {block.label or block.number}"
                paragraph = {
                    "kind": "paragraph",
                    "anchor": anchor(block.number or ""),
                    "number": block.number,
                    "html": renderer.render_html(block.text, source, block.line, where, "inline"),
                    "extras": [],
                }
                items.append(paragraph)
            elif block.kind == "subheading":
                paragraph = None
                html = renderer.render_html(block.text, source, block.line, markdown="inline")
                items.append({"kind": "subheading", "html": html})
            else:
                html = renderer.render_html(block.text, source, block.line, markdown="block")
                if paragraph is not None:
                    paragraph["extras"].append(html)
                else:
                    items.append({"kind": "html", "html": html})
            # The paragraph each printed figure belongs to (a table's: the paragraph it follows).
            for record in renderer.figures[recorded:]:
                record["paragraph"] = None if paragraph is None else paragraph["number"]
        title = section.title
        out.append(
            render_template(
                "highneeds.paper",
                "parts/section.html.j2",
                id=anchor(str(section.number)),
                number=section.number,
                title=sanitised(to_html(title, "inline"), title, source, section.line),
                items=items,
            )
        )
    return out
