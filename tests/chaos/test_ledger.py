"""The chaos report's measures can fail: a missing, changed or duplicated gold row is counted."""

from __future__ import annotations

import pytest

from tests.chaos.helpers import ChaosLedger, GoldDiff, diff_gold

pytestmark = pytest.mark.chaos

COLUMNS = {"fct": ["date_day", "campaign_id", "clicks"]}
CLEAN = {"fct": [("2026-11-01", 1, 5), ("2026-11-01", 2, 7), ("2026-11-02", 1, 3)]}


def test_missing_and_changed_rows_count_as_lost_and_an_extra_row_as_unexpected() -> None:
    faulted = {"fct": [("2026-11-01", 1, 5), ("2026-11-01", 2, 8), ("2026-11-03", 9, 1)]}

    diff = diff_gold(CLEAN, COLUMNS, faulted, COLUMNS)

    assert diff.lost == {"fct": 2}  # the missing 2026-11-02 row and the changed clicks
    assert diff.extra == {"fct": 2}  # the changed row and the row nobody served
    assert diff


def test_a_row_held_twice_is_unexpected_and_fails_the_ledger() -> None:
    ledger = ChaosLedger()
    diff = diff_gold(CLEAN, COLUMNS, {"fct": [*CLEAN["fct"], CLEAN["fct"][0]]}, COLUMNS)
    diff.duplicates = {"gold.fct": 1}

    ledger.record_gold("duplicated", diff)

    assert diff.rows_lost == 0
    assert diff.rows_extra == 1
    assert ledger.failed
    assert "duplicates:      1 (must be 0)" in ledger.lines()


def test_equal_gold_records_nothing_lost() -> None:
    ledger = ChaosLedger()

    ledger.record_gold("equal", diff_gold(CLEAN, COLUMNS, dict(CLEAN), COLUMNS))

    assert not ledger.failed
    assert ledger.rows_lost == ledger.duplicates == 0
    assert not GoldDiff()
