"""The Spark target's lake without Spark: the sync log appended as Parquet, its latest row per
run, the origin check, and the folders handed to dbt."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ingest import lake, sync_log
from ingest.warehouse import Warehouse


def spark_lake(tmp_path: Path) -> Warehouse:
    return Warehouse.from_env({"WAREHOUSE_TARGET": "spark", "LAKE_URL": str(tmp_path / "lake")})


def test_a_run_is_its_latest_row_and_a_dead_run_is_marked_failed(tmp_path: Path) -> None:
    warehouse = spark_lake(tmp_path)
    # given a run that recorded its start and end, and one that died while running
    done = sync_log.RunRecord(warehouse, "run", "http://api", True, False)
    done.start()
    done.loaded = True
    done.finish("success", api_requests=3, rows={"campaigns": 2})
    dead = sync_log.RunRecord(warehouse, "run", "http://api", True, False)
    dead.start()
    # when the next run starts
    sync_log.RunRecord(warehouse, "load", "http://api", True, False).start()

    # then each run is one row in its latest state
    runs = {row["run_id"]: row for row in lake.sync_runs(warehouse)}
    assert len(runs) == 3
    assert runs[done.run_id]["status"] == "success"
    assert json.loads(runs[done.run_id]["rows_loaded"]) == {"campaigns": 2}
    assert runs[dead.run_id]["status"] == "failed"
    assert runs[dead.run_id]["stopped_reason"] == sync_log.DIED
    assert [row["status"] for row in runs.values()].count("running") == 1


def test_origin_reads_the_lake(tmp_path: Path) -> None:
    warehouse = spark_lake(tmp_path)
    assert sync_log.origin(warehouse) == sync_log.Origin(False, None, None)
    # given a sandbox run that loaded a bronze table
    record = sync_log.RunRecord(warehouse, "run", "http://sandbox", True, False)
    record.start()
    folder = tmp_path / "lake" / "bronze" / "campaigns"
    folder.mkdir(parents=True)
    pq.write_table(pa.table({"id": [1]}), folder / "1.parquet")
    record.loaded = True
    record.finish("success")
    # then the lake holds sandbox data
    assert sync_log.origin(warehouse) == sync_log.Origin(True, True, "http://sandbox")


def test_dbt_gets_the_folders_that_have_files_with_their_keys(tmp_path: Path) -> None:
    warehouse = spark_lake(tmp_path)
    folder = tmp_path / "lake" / "bronze" / "campaigns"
    folder.mkdir(parents=True)
    pq.write_table(pa.table({"id": [1]}), folder / "1.parquet")
    lake.ensure_sync_runs(warehouse)

    tables = json.loads(lake.bronze_tables(warehouse, {"campaigns": ["id"], "creatives": ["id"]}))

    assert tables == {
        "campaigns": {"location": str(folder), "key": ["id"], "order": "_dlt_load_id"},
        "_sync_runs": {
            "location": str(tmp_path / "lake" / "_sync_runs"),
            "key": ["run_id"],
            "order": "recorded_at_ns",
        },
    }
