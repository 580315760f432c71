"""Great Expectations' Data Docs made self-contained, after they are built: no page loads
anything from outside its own folder, runs any script, or differs from run to run.

GX's pages load Bootstrap, jQuery, Vega and their plugins from five public CDNs (one by a
floating version, ``vega@5``), with no integrity attribute on most, and a logo whose URL
carries the build time; their elements' ids are random. An auditor who opened them ran code
the project never pinned, offline they broke, and no two runs' pages were the same. Here every
script is removed (GX's own inline scripts only drive those libraries), and so is every
stylesheet or image from outside the folder; the pages keep their tables, text and GX's own
local styles (``static/``). Random ids become ``gx-1``, ``gx-2``, ... in order of appearance.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

#: Elements dropped with everything inside them.
_DROPPED_WITH_CONTENT = frozenset({"script", "iframe", "object", "embed"})
#: Attributes that load something when the page is opened.
_LOADING = {"link": "href", "img": "src", "source": "src", "video": "src", "audio": "src"}
#: A CSS ``url(...)`` or ``@import`` of something outside the folder (GX's inline styles set
#: a logo from its web assets as a background).
_CSS_OUTSIDE = re.compile(
    r"""url\(\s*['"]?\s*(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)[^)]*\)|@import[^;]*(?:https?:|//)[^;]*;"""
)
_RANDOM_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _external(url: str | None) -> bool:
    """Whether ``url`` leaves the page's own folder (a scheme, or a host: ``//cdn...``); a
    ``data:`` URL holds what it shows."""
    text = (url or "").strip().lower()
    if text.startswith("data:"):
        return False
    return text.startswith("//") or bool(re.match(r"[a-z][a-z0-9+.-]*:", text))


class _Offline(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.skipping = 0  # depth inside a dropped element
        self.in_style = False

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]], closed: bool) -> str:
        parts = [tag]
        for name, value in attrs:
            if name.lower().startswith("on"):  # an event handler is a script too
                continue
            parts.append(name if value is None else f'{name}="{html.escape(value, quote=True)}"')
        return "<" + " ".join(parts) + (" />" if closed else ">")

    def _keeps(self, tag: str, attrs: list[tuple[str, str | None]]) -> bool:
        loading = _LOADING.get(tag)
        return loading is None or not _external(dict(attrs).get(loading))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED_WITH_CONTENT:
            self.skipping += 1
        elif not self.skipping and self._keeps(tag, attrs):
            self.in_style = tag == "style"
            attrs = [(n, offline_css(v) if n == "style" and v else v) for n, v in attrs]
            self.out.append(self._tag(tag, attrs, closed=False))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.skipping and tag not in _DROPPED_WITH_CONTENT and self._keeps(tag, attrs):
            self.out.append(self._tag(tag, attrs, closed=True))

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED_WITH_CONTENT:
            self.skipping = max(0, self.skipping - 1)
        elif not self.skipping:
            self.in_style = self.in_style and tag != "style"
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(offline_css(data) if self.in_style else data)

    def handle_entityref(self, name: str) -> None:
        if not self.skipping:
            self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        if not self.skipping:
            self.out.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        pass  # GX's comments say nothing a reader needs

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")


def offline_css(text: str) -> str:
    """CSS with nothing fetched from outside the folder (an outside image is no image)."""
    return _CSS_OUTSIDE.sub(lambda found: "none" if found.group(0).startswith("url") else "", text)


def offline_page(text: str) -> str:
    """One Data Docs page without scripts or outside resources, its random ids made stable."""
    parser = _Offline()
    parser.feed(text)
    parser.close()
    page = "".join(parser.out)
    numbers: dict[str, str] = {}

    def stable(found: re.Match[str]) -> str:
        return numbers.setdefault(found.group(0), f"gx-{len(numbers) + 1}")

    return _RANDOM_ID.sub(stable, page)


def make_offline(docs_dir: Path) -> None:
    """Every page of the Data Docs under ``docs_dir``, made self-contained in place."""
    for page in sorted(docs_dir.rglob("*")):
        if page.is_symlink() or not page.is_file() or page.suffix not in (".html", ".css"):
            continue
        text = page.read_text(encoding="utf-8")
        page.write_text(
            offline_page(text) if page.suffix == ".html" else offline_css(text), encoding="utf-8"
        )
