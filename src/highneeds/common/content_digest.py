"""A digest of what a computation is given (tables, mappings, plain values), so that a warm
process (the preview) can reuse a result when, and only when, its inputs are the same."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Mapping, Sequence
from typing import Any


def content_digest(*values: Any) -> str:
    """SHA-256 over every value's content: a table's cells, index, column names, types and
    attributes (its source file); a mapping's items in order; anything else by its ``repr``."""
    digest = hashlib.sha256()
    for value in values:
        _feed(digest, value)
    return digest.hexdigest()


def _feed(digest: Any, value: Any) -> None:
    # A value can be a table only once pandas is loaded: a caller digesting no table (the
    # history chart of changes.html, in the run's own process) does not load it.
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(value, pd.DataFrame):
        digest.update(b"frame")
        digest.update(repr((list(value.columns), [str(t) for t in value.dtypes])).encode())
        digest.update(repr(sorted(value.attrs.items())).encode())
        digest.update(pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes())
    elif isinstance(value, Mapping):
        digest.update(b"mapping")
        for key, item in value.items():
            _feed(digest, key)
            _feed(digest, item)
    elif isinstance(value, Sequence) and not isinstance(value, str | bytes):
        digest.update(b"sequence")
        for item in value:
            _feed(digest, item)
    else:
        digest.update(f"{type(value).__name__}:{value!r}".encode())
    digest.update(b"\x00")
