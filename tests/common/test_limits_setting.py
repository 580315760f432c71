"""One strict parser for the operator's limits: a finite number above 0, or the default."""

from __future__ import annotations

import pytest

from highneeds.common.errors import UsageError
from highneeds.common.limits_setting import positive_setting


def test_a_limit_is_read_or_left_at_its_default() -> None:
    assert positive_setting({"X": " 2.5 "}, "X", 7) == 2.5
    assert positive_setting({"X": ""}, "X", 7) == 7
    assert positive_setting({}, "X", 7) == 7


@pytest.mark.parametrize("text", ["0", "-1", "many", "nan", "inf", "-inf"])
def test_a_limit_that_is_no_positive_number_is_refused(text: str) -> None:
    with pytest.raises(UsageError, match=f"X='{text}': expected a positive number"):
        positive_setting({"X": text}, "X", 7)
