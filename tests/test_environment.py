"""The environment `make` syncs: installed packages come compiled to bytecode (Makefile
`UV_COMPILE_BYTECODE`), or every dbt and ingest start compiles their sources again wherever
`PYTHONDONTWRITEBYTECODE` is set (DECISIONLOG: packages compiled at sync)."""

import importlib
import importlib.util
from pathlib import Path


def test_installed_packages_are_compiled_to_bytecode():
    for name in ("dbt.cli.main", "dlt.pipeline.pipeline", "pyarrow.parquet.core"):
        source = importlib.import_module(name).__file__
        compiled = Path(importlib.util.cache_from_source(source))
        assert compiled.exists(), (
            f"{name} has no bytecode ({compiled} is missing): rm .venv/.synced and run make again"
        )
