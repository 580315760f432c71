"""No active content in a published paper: the HTML that an author's text becomes (Markdown,
and any raw HTML written into it) may hold only the elements, attributes and links that fit a
council paper. Anything else is refused, naming the element, so that the author knows; what is
allowed then passes through nh3 (the Rust ``ammonia`` sanitiser) with the same allow-list.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3

#: Elements an author's text may produce, each with the attributes it may carry: never a
#: class (the paper's styles, Word and the DfE return read classes; only the pipeline's own
#: HTML carries one).
ALLOWED_ELEMENTS: dict[str, set[str]] = {
    "p": set(),
    "br": set(),
    "em": set(),
    "strong": set(),
    "code": set(),
    "sup": set(),
    "sub": set(),
    "abbr": {"title"},
    "span": set(),
    "a": {"href", "title"},
    "ul": set(),
    "ol": {"start"},
    "li": set(),
    "blockquote": set(),
}
#: Where links may point: the web, email, telephone, or an anchor in the paper (``#para-4-2``).
LINK_SCHEMES = {"https", "http", "mailto", "tel"}


class _ActiveContentFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_ELEMENTS:
            self.problems.append((tag, f"the element <{tag}> is not allowed"))
            return
        for name, value in attrs:
            if name not in ALLOWED_ELEMENTS[tag]:
                self.problems.append((tag, f"the attribute {name}= on <{tag}> is not allowed"))
            elif name == "href" and not link_allowed(value or ""):
                self.problems.append((tag, f"the link {value!r} on <{tag}> is not allowed"))

    handle_startendtag = handle_starttag

    def handle_comment(self, data: str) -> None:
        self.problems.append(("!--", "an HTML comment survived into the text"))

    def handle_decl(self, decl: str) -> None:
        self.problems.append(("!", f"the declaration <!{decl}> is not allowed"))

    def handle_pi(self, data: str) -> None:
        self.problems.append(("?", f"the processing instruction <?{data}> is not allowed"))


def link_allowed(url: str) -> bool:
    """An ``https:``, ``http:``, ``mailto:`` or ``tel:`` link, or an anchor in the paper."""
    url = url.strip()
    if url.startswith("#"):
        return True
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in LINK_SCHEMES and (
        parts.scheme.lower() in ("mailto", "tel") or bool(parts.netloc)
    )


def active_content(html: str) -> list[tuple[str, str]]:
    """Each element of ``html`` outside the allow-list: ``(element, what is wrong)`` pairs."""
    finder = _ActiveContentFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


def clean(html: str) -> str:
    """``html`` through nh3 with the allow-list (for HTML that :func:`active_content` passed)."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_ELEMENTS),
        attributes=ALLOWED_ELEMENTS,
        url_schemes=LINK_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
