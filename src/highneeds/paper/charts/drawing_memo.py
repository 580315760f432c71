"""Charts remembered by what they draw: a warm process (the preview) redraws a chart only
when its data, style or formats change. A run's kernel draws each chart once either way."""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from highneeds.common.content_digest import content_digest

Draw = TypeVar("Draw", bound=Callable[..., dict[str, bytes]])

#: Drawings kept per chart function: the paper's and large print's, and a few recent ones.
KEEP = 8


def remembered(draw: Draw) -> Draw:
    """``draw`` with its recent results kept, keyed by a digest of its arguments (tables by
    content). Drawing is deterministic (fixed SVG salt, no dates), so a kept drawing is the
    same bytes a new one would be."""
    kept: OrderedDict[str, dict[str, bytes]] = OrderedDict()

    @functools.wraps(draw)
    def drawing(*args: Any) -> dict[str, bytes]:
        key = content_digest(*args)
        if key in kept:
            kept.move_to_end(key)
        else:
            kept[key] = draw(*args)
            while len(kept) > KEEP:
                kept.popitem(last=False)
        return dict(kept[key])

    drawing.forget = kept.clear  # type: ignore[attr-defined]
    return drawing  # type: ignore[return-value]
