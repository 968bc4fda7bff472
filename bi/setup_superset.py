"""Set up Apache Superset on the gold schema and serve it: `make bi` runs this in bi/.venv.

    python bi/setup_superset.py [--home DIR] [--serve --port PORT]

1. SUPERSET_HOME (default bi/.superset, git-ignored, 0700) gets a secret key and Superset's
   SQLite metadata database, migrated to the installed Superset (what `superset db upgrade` and
   `superset init` do).
2. An `admin` login is created once with a random password: printed then, and kept in
   SUPERSET_HOME/admin_password (0600).
3. The warehouse is registered read-only, as the main project configures it (WAREHOUSE_TARGET):
   DuckDB: the file WAREHOUSE_PATH opened read-only by each query and closed after it (Superset
   pools no connections), so a dashboard left open never blocks the next `make run`;
   Postgres (PG* variables): sessions run as the BI role (WAREHOUSE_BI_ROLE, else the dbt var
   bi_role), which may read gold only.
4. The dashboard kept as code in bi/assets (Superset's YAML export) is imported, overwriting what a
   previous run imported. Each chart gets the query context Superset's API runs for it
   (`/api/v1/chart/<id>/data/`), built from the chart's own parameters.
5. With --serve, Superset is served on 127.0.0.1:PORT by gunicorn, in the foreground.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

BI = Path(__file__).resolve().parent
ROOT = BI.parent
ASSETS = BI / "assets"
DATABASE_FILE = "databases/warehouse.yaml"
DASHBOARD_PATH = "/superset/dashboard/linkedin-ads/"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=BI / ".superset", help="Superset's own files")
    parser.add_argument("--serve", action="store_true", help="then serve on 127.0.0.1:PORT")
    parser.add_argument("--port", type=int, default=8088)
    args = parser.parse_args()
    home = args.home.resolve()
    if missing := missing_warehouse():
        sys.exit(missing)
    prepare_home(home)
    setup(home)
    if args.serve:
        serve(home, args.port)


def missing_warehouse() -> str | None:
    """One line to act on when the DuckDB warehouse file is not there yet."""
    if os.environ.get("WAREHOUSE_TARGET", "duckdb") == "postgres":
        return None
    path = duckdb_path()
    return None if path.exists() else f"no warehouse at {path}: run `make run` first"


def duckdb_path() -> Path:
    return Path(os.environ.get("WAREHOUSE_PATH") or ROOT / "warehouse.duckdb").resolve()


def prepare_home(home: Path) -> None:
    """Create SUPERSET_HOME with a secret key, and point Superset at it and at our config."""
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = home / "secret_key"
    if not key.exists():
        write_private(key, secrets.token_urlsafe(42))
    os.environ["SUPERSET_HOME"] = str(home)
    os.environ["SUPERSET_CONFIG_PATH"] = str(BI / "superset_config.py")


def write_private(path: Path, text: str) -> None:
    """Write `text` to a file only its owner can read."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text + "\n")


def setup(home: Path) -> None:
    """Migrate the metadata database, create the admin login once, import the dashboard."""
    from flask import g
    from flask_migrate import upgrade
    from superset.app import create_app

    # Set-up speaks in its own lines: Superset's and its migrations' info and warnings (hundreds
    # of lines on a first run) are kept out; errors still show.
    logging.disable(logging.WARNING)
    app = create_app()
    with app.app_context():
        # Superset's models can be imported only once the app exists.
        from superset import security_manager
        from superset.commands.importers.v1.assets import ImportAssetsCommand
        from superset.extensions import appbuilder

        upgrade()
        appbuilder.add_permissions(update_perms=True)
        security_manager.sync_role_definitions()
        admin = security_manager.find_user(username="admin")
        if admin is None:
            password = secrets.token_urlsafe(18)
            admin = security_manager.add_user(
                "admin",
                "Admin",
                "User",
                "admin@localhost",
                [security_manager.find_role("Admin")],
                password,
            )
            write_private(home / "admin_password", password)
            print(f"Superset login (printed once): admin / {password}")
        print(f"Admin password kept in {home / 'admin_password'}")
        contents, passwords = bundle()
        with app.test_request_context():
            g.user = admin
            ImportAssetsCommand(contents, passwords=passwords).run()
        print(f"Imported the dashboard ({describe_warehouse()})")
    logging.disable(logging.NOTSET)


def bundle() -> tuple[dict[str, str], dict[str, str]]:
    """bi/assets as Superset's importer reads an export zip (path -> YAML text), and the
    database password."""
    contents = {
        str(path.relative_to(ASSETS)): path.read_text() for path in sorted(ASSETS.rglob("*.yaml"))
    }
    database = yaml.safe_load(contents[DATABASE_FILE])
    uri, engine_params, password = warehouse_connection()
    database["sqlalchemy_uri"] = uri
    database["extra"]["engine_params"] = engine_params
    contents[DATABASE_FILE] = yaml.safe_dump(database)
    for name, text in contents.items():
        if name.startswith("charts/"):
            chart = yaml.safe_load(text)
            chart["query_context"] = json.dumps(query_context(chart["params"]))
            contents[name] = yaml.safe_dump(chart)
    return contents, ({DATABASE_FILE: password} if password else {})


def warehouse_connection() -> tuple[str, dict[str, Any], str]:
    """SQLAlchemy URI, engine parameters and password of the warehouse, read-only."""
    if os.environ.get("WAREHOUSE_TARGET", "duckdb") == "postgres":
        user = os.environ.get("PGUSER", "postgres")
        password = os.environ.get("PGPASSWORD", "")
        host = os.environ.get("PGHOST", "127.0.0.1")
        port = os.environ.get("PGPORT", "5432")
        database = os.environ.get("PGDATABASE", "postgres")
        # Every session switches to the BI role at connect time: it may select gold, nothing else.
        options = quote(f"-c role={bi_role()}", safe="")
        login = f"{quote(user)}:XXXXXXXXXX" if password else quote(user)
        uri = f"postgresql+psycopg2://{login}@{host}:{port}/{database}?options={options}"
        return uri, {}, password
    return f"duckdb:///{duckdb_path()}", {"connect_args": {"read_only": True}}, ""


def bi_role() -> str:
    """The read-only BI role, resolved as dbt's macros/bi_role.sql does."""
    project = yaml.safe_load((ROOT / "dbt_project" / "dbt_project.yml").read_text())
    return os.environ.get("WAREHOUSE_BI_ROLE") or project["vars"]["bi_role"]


def describe_warehouse() -> str:
    uri = warehouse_connection()[0]
    return (
        uri.split("?")[0] if uri.startswith("duckdb") else f"{uri.split('@')[-1]}, as {bi_role()}"
    )


def query_context(params: dict[str, Any]) -> dict[str, Any]:
    """The query Superset's chart-data API runs for a chart, from the chart's parameters.

    It asks what the chart shows: its x axis (with its time grain), group-by or raw columns,
    metrics, filters, order and row limit. The datasource is set by the importer.
    """
    columns: list[Any] = []
    if x_axis := params.get("x_axis"):
        axis = {"columnType": "BASE_AXIS", "sqlExpression": x_axis, "label": x_axis}
        axis["expressionType"] = "SQL"
        if grain := params.get("time_grain_sqla"):
            axis["timeGrain"] = grain
        columns.append(axis)
    raw = params.get("query_mode") == "raw"
    columns += params.get("all_columns" if raw else "groupby", [])
    metrics = [] if raw else params.get("metrics", [])
    if raw:
        orderby = [json.loads(column) for column in params.get("order_by_cols", [])]
    else:
        by = params.get("timeseries_limit_metric") or params.get("x_axis_sort") or metrics[0]
        ascending = params.get("x_axis_sort_asc", not params.get("order_desc", True))
        orderby = [[by, ascending]]
    filters, having = [], []
    for adhoc in params.get("adhoc_filters", []):
        if adhoc["expressionType"] == "SIMPLE":
            filters.append(
                {"col": adhoc["subject"], "op": adhoc["operator"], "val": adhoc["comparator"]}
            )
        else:
            having.append(f"({adhoc['sqlExpression']})")
    query = {
        "columns": columns,
        "metrics": metrics,
        "orderby": orderby,
        "filters": filters,
        "extras": {"having": " AND ".join(having), "where": ""},
        "row_limit": params.get("row_limit"),
        "time_range": params.get("time_range", "No filter"),
    }
    return {
        "datasource": {"id": 0, "type": "table"},
        "force": False,
        "queries": [query],
        "form_data": params,
        "result_format": "json",
        "result_type": "full",
    }


def serve(home: Path, port: int) -> None:
    """Replace this process with gunicorn serving Superset on 127.0.0.1:port."""
    gunicorn = Path(sys.executable).parent / "gunicorn"
    print(f"Dashboard: http://127.0.0.1:{port}{DASHBOARD_PATH} (Ctrl-C stops it)", flush=True)
    os.execv(  # noqa: S606 (gunicorn takes over this process; no shell involved)
        gunicorn,
        [
            str(gunicorn),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "8",
            "--timeout",
            "120",
            "--no-control-socket",  # one shared path in $HOME otherwise: two servers would clash
            "--access-logfile",
            "-" if os.environ.get("BI_ACCESS_LOG") else "/dev/null",
            "superset.app:create_app()",
        ],
    )


if __name__ == "__main__":
    main()
