"""The sandbox that narrative and paper text are rendered in.

Narratives travel by email and the monthly job renders them unattended, so a placeholder may
only *read data*: the figures and values the pipeline hands over, the documented filters, and
the ``ref``/``table``/``chart`` helpers. Anything else is refused (and reported by the caller
with the file, line and placeholder):

- attributes that start with ``_`` (the way out of every Jinja sandbox escape),
- methods of Python objects, and calling anything but the helpers (macros included),
- Jinja's own globals (``range``, ``cycler``, ``joiner``, ``namespace``, ``lipsum``, ``dict``)
  and built-in filters: only :data:`highneeds.paper.text.formatting.FILTERS` exist,
- operators that could exhaust the machine: repeating strings or lists with ``*``,
  formatting strings with ``%`` (``"%099999999d" % 1`` is 100 MB), and powers with large
  exponents; and statements that repeat or grow text (loops, macros, ``{% set %}``, which
  doubled a string 24 times to 268 MB), so that a text's output grows with its own length
  only; every value a placeholder prints is bounded too (:data:`MAX_VALUE_CHARS`).

Values are autoescaped: a figure's text from an input lands as text, never as markup.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable, Iterable, Mapping
from types import CodeType
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup

from highneeds.paper.text.formatting import FILTERS

__all__ = ["NarrativeSandbox", "SecurityError"]

#: The largest exponent ``**`` may take in a placeholder.
MAX_EXPONENT = 64
#: The largest whole number (in bits: about 10**77) a product or power may make: a figure is
#: never near it, and ``((9**64)**64)**64`` would take the machine a minute to compute.
MAX_BITS = 256
#: Statements that repeat text: a placeholder reads data, so a narrative may use none (five
#: nested loops made a 3.8 MB paper in eight minutes).
_REPEATING = (
    (nodes.For, "loops ({% for %})"),
    (nodes.Macro, "macros"),
    (nodes.CallBlock, "call blocks"),
    (nodes.Assign, "variables ({% set %})"),
    (nodes.AssignBlock, "variables ({% set %})"),
    (nodes.FilterBlock, "filter blocks"),
)
#: The longest text one placeholder may print: a figure, a sentence of the model's, a table
#: or chart the pipeline draws (a chart's SVG is the largest, well under a megabyte).
MAX_VALUE_CHARS = 2_000_000


class NarrativeSandbox(ImmutableSandboxedEnvironment):
    """An immutable Jinja sandbox that reads data and calls only the helpers it is given."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self) -> None:
        super().__init__(
            undefined=jinja2.StrictUndefined,
            autoescape=True,
            keep_trailing_newline=False,
            finalize=self._finalize,
        )
        #: Where the HTML the pipeline's helpers print is kept while the author's text around
        #: it is checked (:meth:`slotted`); None: printed in place.
        self.slots: dict[str, str] | None = None
        self.globals.clear()
        self.filters = dict(FILTERS)
        self.tests = {name: self.tests[name] for name in ("defined", "undefined", "none")}
        self._helpers: list[Callable[..., Any]] = []

    def _finalize(self, value: Any) -> Any:
        """Every printed value: bounded in length; the pipeline's own HTML (``Markup``), while
        :attr:`slots` is set, kept aside and printed as a token no author can write."""
        if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
            raise SecurityError(
                f"a placeholder printed {len(value):,} characters; at most "
                f"{MAX_VALUE_CHARS:,} may be printed"
            )
        if self.slots is not None and isinstance(value, Markup):
            token = f"hnslot{secrets.token_hex(12)}x"
            self.slots[token] = str(value)
            return token
        return value

    def allow_helpers(self, helpers: Iterable[Callable[..., Any]]) -> None:
        """Let placeholders call these (``ref``, ``table``, ``chart``), and nothing else."""
        self._helpers.extend(helpers)

    def compile(
        self,
        source: Any,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        """Each text compiled once per process: every sandbox compiles the same text to the
        same code (one class, one configuration, the same filters), and the preview renders
        the whole narrative again on each save. Only a plain text's code is kept."""
        if isinstance(source, str) and not (name or filename or raw or defer_init):
            return _compiled(source)
        return super().compile(source, name, filename, raw, defer_init)  # type: ignore[call-overload]  # Jinja's own arguments, passed on

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """The text's syntax tree, refused if it repeats text (:data:`_REPEATING`)."""
        tree = super()._parse(source, name, filename)
        for kind, words in _REPEATING:
            found = next(tree.find_all(kind), None)
            if found is not None:
                raise jinja2.TemplateSyntaxError(
                    f"{words} are not allowed in a narrative: a placeholder reads a figure, it "
                    "does not repeat text",
                    found.lineno,
                    name,
                    filename,
                )
        return tree

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr.startswith("_") or callable(value):
            return False
        return bool(super().is_safe_attribute(obj, attr, value))

    def is_safe_callable(self, obj: Any) -> bool:
        return any(obj is helper for helper in self._helpers)

    def getattr(self, obj: Any, attribute: str) -> Any:
        # A figure named like a dict method (``fig.items``) is the figure, not the method.
        if isinstance(obj, Mapping) and attribute in obj:
            return obj[attribute]
        if isinstance(obj, jinja2.Undefined):  # say the name is undefined, not "unsafe"
            obj._fail_with_undefined_error()
        return super().getattr(obj, attribute)

    def unsafe_undefined(self, obj: Any, attribute: str) -> jinja2.Undefined:
        """Refuse an attribute in the author's words (Jinja's own names the Python type)."""
        return self.undefined(
            f"{attribute!r} cannot be used: names starting with '_' and methods reach into "
            "the program itself.",
            name=attribute,
            obj=obj,
            exc=SecurityError,
        )

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "%":
            if not (_is_number(left) and _is_number(right)):
                raise SecurityError("'%' may only take the remainder of numbers in a placeholder")
            return left % right
        if operator == "*":
            if not (_is_number(left) and _is_number(right)):
                raise SecurityError("'*' may only multiply numbers in a placeholder")
            _check_size(_bits(left) + _bits(right))
            return left * right
        if not (_is_number(left) and _is_number(right)) or abs(right) > MAX_EXPONENT:
            raise SecurityError(f"'**' takes numbers and an exponent of at most {MAX_EXPONENT}")
        _check_size(_bits(left) * max(int(abs(right)), 1))
        return left**right


@functools.lru_cache(maxsize=4096)
def _compiled(source: str) -> CodeType:
    """``source`` compiled by a sandbox like every other (a syntax error is raised, not kept)."""
    return jinja2.Environment.compile(_PROTOTYPE, source)


def _bits(value: Any) -> int:
    """The size of a whole number in bits (a float's own range bounds it: 0)."""
    return abs(value).bit_length() if isinstance(value, int) else 0


def _check_size(bits: int) -> None:
    if bits > MAX_BITS:
        raise SecurityError(
            f"the result would be a number of about {bits} bits; a placeholder may make numbers "
            f"of at most {MAX_BITS} bits (about 10**77)"
        )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


#: The sandbox that compiles for all: configuration, filters and tests are the same in each.
_PROTOTYPE = NarrativeSandbox()
