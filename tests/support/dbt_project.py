"""The dbt project as tests see it: its variables, and dbt build through the pipeline."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import yaml

from ingest import dbt_runner
from ingest.linkedin_ads.settings import DBT_PROJECT_YML
from ingest.warehouse import Warehouse


@cache
def dbt_vars() -> dict[str, Any]:
    """`vars` of dbt_project.yml, as written."""
    return yaml.safe_load(DBT_PROJECT_YML.read_text())["vars"]


def bi_role() -> str:
    """The read-only BI role as macros/bi_role.sql resolves it: WAREHOUSE_BI_ROLE, else the var."""
    return os.environ.get("WAREHOUSE_BI_ROLE") or dbt_vars()["bi_role"]


def build(warehouse: Warehouse, *args: str, unit_tests: bool = False) -> None:
    """dbt build (silver and gold) on the warehouse, as the pipeline runs it (without dbt's unit
    tests unless `unit_tests`)."""
    dbt_runner.dbt(warehouse, "build", *args, unit_tests=unit_tests)


def build_without_tests(warehouse: Warehouse) -> None:
    """dbt build without dbt's data and unit tests, for tests that compare gold themselves."""
    build(warehouse, "--exclude-resource-type", "test")
