"""Import Great Expectations without paying for what the gate never uses.

``import great_expectations`` loads every core expectation, among them
``expect_column_kl_divergence_to_be_less_than``, whose module runs ``from scipy import stats``:
a large share of the import, for a statistics library no suite of the gate calls; and
``altair`` (measured in the history of docs/performance.md).
:func:`import_great_expectations` defers both (:mod:`highneeds.common.deferred_imports`: each
loads itself on first use, so an expectation that needs one still gets it), then imports
Great Expectations with its usage statistics off.
"""

from __future__ import annotations

import os
from types import ModuleType

from highneeds.common.deferred_imports import defer_imports

#: Modules Great Expectations imports at start-up that no expectation of the gate uses.
DEFERRED_MODULES = ("scipy.stats", "altair")


def import_great_expectations() -> ModuleType:
    """``great_expectations``, imported with :data:`DEFERRED_MODULES` deferred and its usage
    statistics off."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    defer_imports(DEFERRED_MODULES)  # a no-op once they are imported, by this or anything else
    import great_expectations

    return great_expectations
