"""Point the source (in process, or the CLI through its environment) at a running sandbox."""

from __future__ import annotations

from typing import Any

from ingest import pipeline
from ingest.linkedin_ads.config import SETTING_PREFIX
from ingest.pipeline import LoadResult, Warehouse


def source_args(sandbox: Any, **settings: Any) -> dict[str, Any]:
    """Source arguments for the sandbox, with `settings` on top."""
    return {**pipeline.sandbox_source_args(sandbox), **settings}


def source_env(sandbox: Any, *, refresh: bool = False, **settings: Any) -> dict[str, str]:
    """SOURCES__LINKEDIN_ADS__* variables for the sandbox: its URLs and access token (and, with
    `refresh`, what refreshing the token needs), with `settings` on top."""
    keys = ["base_url", "oauth_url", "access_token"]
    if refresh:
        keys += ["refresh_token", "client_id", "client_secret"]
    values = {key: getattr(sandbox, key) for key in keys} | settings
    return {f"{SETTING_PREFIX}{key.upper()}": str(value) for key, value in values.items()}


def load(warehouse: Warehouse, sandbox: Any, **settings: Any) -> LoadResult:
    """Load the sandbox into the warehouse's bronze."""
    return pipeline.load(warehouse, source_args(sandbox, **settings))
