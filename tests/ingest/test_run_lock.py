"""One run at a time: the warehouse lock and its timeout; how a freshness result is read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ingest import dbt_runner, run_lock
from ingest.linkedin_ads import ConfigError
from ingest.run_lock import WarehouseBusy
from ingest.warehouse import Warehouse


@pytest.mark.parametrize(
    ("engine", "refusal"),
    [
        ("duckdb", "WAREHOUSE_LOCK_TIMEOUT"),
        pytest.param("postgres", "advisory lock", marks=pytest.mark.postgres),
    ],
)
def test_a_second_holder_of_a_warehouse_is_refused_until_the_first_lets_go(
    engine: str, refusal: str, request: pytest.FixtureRequest
) -> None:
    warehouse: Warehouse = request.getfixturevalue(f"{engine}_warehouse")
    with (
        run_lock.hold(warehouse, timeout=0),
        pytest.raises(WarehouseBusy, match=refusal),
        run_lock.hold(warehouse, timeout=0.3),
    ):
        pass
    with run_lock.hold(warehouse, timeout=0):
        pass
    if engine == "duckdb":
        assert not warehouse.duckdb_path.exists()  # the lock never creates the warehouse


@pytest.mark.parametrize("value", ["soon", "-1", "1e9"])
def test_a_bad_lock_timeout_names_the_setting(value: str) -> None:
    with pytest.raises(ConfigError, match=r"^WAREHOUSE_LOCK_TIMEOUT: "):
        run_lock.timeout_from_env({"WAREHOUSE_LOCK_TIMEOUT": value})


def test_the_lock_timeout_defaults_to_not_waiting() -> None:
    assert run_lock.timeout_from_env({}) == 0
    assert run_lock.timeout_from_env({"WAREHOUSE_LOCK_TIMEOUT": "600"}) == 600


def test_stale_bronze_tables_are_reported_and_fresh_ones_are_not(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, duckdb_warehouse: Warehouse
) -> None:
    # given dbt source freshness finding one table past its warn threshold
    def fake_dbt(warehouse: Warehouse, *args: str, check: bool = True) -> int:
        assert args == ("source", "freshness")
        assert not check
        results: list[dict[str, Any]] = [
            {"unique_id": "source.linkedin_ads.linkedin_ads.campaigns", "status": "pass"},
            {
                "unique_id": "source.linkedin_ads.linkedin_ads.ad_analytics_by_campaign",
                "status": "warn",
                "max_loaded_at": "2026-01-01T00:00:00",
            },
        ]
        (tmp_path / "target").mkdir(exist_ok=True)
        (tmp_path / "target" / "sources.json").write_text(json.dumps({"results": results}))
        return 0

    monkeypatch.setattr(dbt_runner, "DBT_PROJECT_DIR", tmp_path)
    monkeypatch.setattr(dbt_runner, "dbt", fake_dbt)

    # then only the stale table is reported, with its status and last load
    assert dbt_runner.source_freshness(duckdb_warehouse) == {
        "bronze.ad_analytics_by_campaign": "warn (last loaded 2026-01-01T00:00:00)"
    }
