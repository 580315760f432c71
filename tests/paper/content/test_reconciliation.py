"""The business cases' savings against the Recovery Plan Impact line, as the paper says them."""

from __future__ import annotations

import pytest

from highneeds.paper.content.assemble import narrative_context
from highneeds.paper.content.reconciliation import difference_words, reconciliation_table_html
from tests.conftest import shipped_model_outputs
from tests.paper.content.test_assemble import table_rows


def test_the_table_and_words_give_claimed_counted_and_the_difference(shipped_tables) -> None:
    outputs = shipped_model_outputs(shipped_tables)
    rows = table_rows(reconciliation_table_html(outputs, "3"))
    assert rows[1:] == [
        ["Savings the business cases claim, a year", "392"],
        ["Saving the Recovery Plan Impact line counts in 2024/25", "135"],
        ["Difference: claimed beyond what the line counts", "257"],
    ]
    words = narrative_context(outputs)["reconciliation"]["difference_words"]
    assert words.startswith(
        "the business cases claim £392k a year, £257k more than the £135k the Recovery Plan "
        "Impact line counts in 2024/25"
    )


def test_equal_or_smaller_claims_are_said_as_they_are() -> None:
    assert difference_words(135, 135, "2024/25") == (
        "the business cases' savings of £135k a year are what the Recovery Plan Impact line "
        "counts in 2024/25"
    )
    assert "£35k less than the £135k" in difference_words(100, 135, "2024/25")


def test_without_business_cases_the_table_says_what_gives_it(shipped_tables) -> None:
    outputs = shipped_model_outputs(
        {k: v for k, v in shipped_tables.items() if k != "business_cases"}
    )
    with pytest.raises(KeyError, match="only when the cycle gives business_cases.csv"):
        reconciliation_table_html(outputs, "3")
    assert "reconciliation" not in narrative_context(outputs)
