"""validate's check of the narrative against the forecast is bounded like the tables' checks
(HIGHNEEDS_MAX_CHECK_SECONDS): a narrative that would take longer is refused with exit 3."""

from __future__ import annotations

import threading

import pytest

from highneeds.common.errors import InputDataError, NarrativeError
from highneeds.runner.commands.validate import _within_the_limit


def test_a_check_that_overruns_is_refused_and_left_behind(monkeypatch) -> None:
    monkeypatch.setenv("HIGHNEEDS_MAX_CHECK_SECONDS", "1")
    release = threading.Event()
    with pytest.raises(InputDataError, match="took longer than 1 s") as caught:
        _within_the_limit(lambda: [str(release.wait(30))])
    assert caught.value.exit_code == 3
    release.set()


def test_a_check_within_the_limit_gives_its_claims_or_its_own_error(monkeypatch) -> None:
    monkeypatch.setenv("HIGHNEEDS_MAX_CHECK_SECONDS", "30")
    assert _within_the_limit(lambda: ["a claim"]) == ["a claim"]

    def refused() -> list[str]:
        raise NarrativeError("narrative.md line 3: unknown label 'x'")

    with pytest.raises(NarrativeError, match="unknown label"):
        _within_the_limit(refused)
