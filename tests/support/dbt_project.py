"""The dbt project as tests see it: its variables, and dbt build through the pipeline."""

from __future__ import annotations

import os
import re
from functools import cache
from typing import Any

import yaml

from ingest import pipeline
from ingest.linkedin_ads.settings import DBT_PROJECT_YML
from ingest.pipeline import Warehouse

_ENV_VAR = re.compile(r"^\{\{\s*env_var\('(\w+)',\s*'([^']*)'\)\s*\}\}$")


@cache
def dbt_vars() -> dict[str, Any]:
    """`vars` of dbt_project.yml, as written."""
    return yaml.safe_load(DBT_PROJECT_YML.read_text())["vars"]


def dbt_var(name: str) -> Any:
    """A variable's value; `{{ env_var('NAME', 'default') }}` is resolved as dbt would."""
    value = dbt_vars()[name]
    if isinstance(value, str) and (match := _ENV_VAR.match(value.strip())):
        return os.environ.get(match[1], match[2])
    return value


def build(warehouse: Warehouse, *args: str) -> None:
    """dbt build (silver and gold) on the warehouse, as the pipeline runs it."""
    pipeline.dbt(warehouse, "build", *args)
