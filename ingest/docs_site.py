"""The dbt docs site: `dbt docs generate --static` on the warehouse, then dbt_project/target served
on a loopback port until Ctrl-C.

`dbt docs generate` writes index.html with manifest.json and catalog.json beside it (what the
served site loads) and the single-file static_index.html (the same site with both inlined: open it
from disk or mail it). The standard library's HTTP server is enough for one reader on loopback
and, unlike `dbt docs serve`, serves the folder without changing the process's directory.
"""

from __future__ import annotations

import functools
import logging
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from ingest.dbt_runner import DBT_PROJECT_DIR, dbt
from ingest.linkedin_ads import ConfigError
from ingest.warehouse import Warehouse

HOST = "127.0.0.1"
DEFAULT_PORT = 8080
TARGET_DIR = DBT_PROJECT_DIR / "target"
STATIC_PAGE = TARGET_DIR / "static_index.html"

logger = logging.getLogger("ingest")


def generate(warehouse: Warehouse) -> Path:
    """Write the docs (index.html, manifest.json, catalog.json, static_index.html) of the
    warehouse into dbt_project/target; returns the single-file page."""
    warehouse.check()
    dbt(warehouse, "docs", "generate", "--static")
    return STATIC_PAGE


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves the target folder; one log line per request at debug level, not on stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("docs site: " + format, *args)


def server(port: int = DEFAULT_PORT, directory: Path = TARGET_DIR) -> ThreadingHTTPServer:
    """An HTTP server for `directory` on 127.0.0.1:`port` (0: any free port), not yet serving.
    A port in use is a ConfigError naming DOCS_PORT."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    try:
        return ThreadingHTTPServer((HOST, port), handler)
    except OSError as error:
        raise ConfigError(
            f"DOCS_PORT: cannot serve on {HOST}:{port} ({error.strerror}); pick another port"
        ) from None


def serve(httpd: ThreadingHTTPServer) -> None:
    """Serve until Ctrl-C, having printed the URL."""
    url = f"http://{HOST}:{httpd.server_address[1]}/"
    print(f"dbt docs: {url}  (single file: {STATIC_PAGE}); Ctrl-C to stop", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        print("docs site stopped", flush=True)


def docs(warehouse: Warehouse, port: int | None = DEFAULT_PORT) -> None:
    """`python -m ingest docs`: generate, then serve on `port` until Ctrl-C (None: only
    generate). The port is taken first, so that a port in use fails before dbt runs."""
    if port is None:
        print(f"dbt docs: {generate(warehouse)}")
        return
    with server(port) as httpd:
        generate(warehouse)
        serve(httpd)
