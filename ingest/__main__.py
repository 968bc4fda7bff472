"""Command line: python -m ingest {run, load, build, auth, sandbox, docs}.

Expected failures (bad settings, an API refusal, an unreachable warehouse) print one line naming
the setting or the API's message and exit non-zero; `--debug` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys

from dlt.pipeline.exceptions import PipelineStepFailed

from ingest.linkedin_ads import ConfigError
from ingest.linkedin_ads.errors import SecretsFilter

# Exit codes of python -m ingest (README, "Running it unattended").
EXIT_OK = 0  # success
EXIT_STOPPED = 1  # stopped early by LinkedIn's daily quota; the next run resumes
EXIT_BAD_SETTINGS = 2  # bad settings (one line names the setting); nothing written
EXIT_API_REFUSED = 3  # the API refused (401, 403, 426, ...), or loading or dbt failed
EXIT_BUSY = 4  # another run holds the warehouse (WAREHOUSE_LOCK_TIMEOUT)


def _configure_logging(debug: bool) -> None:
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(message)s", "%H:%M:%S"))
    handler.addFilter(_secrets_filter())
    logging.basicConfig(level=logging.DEBUG if debug else logging.INFO, handlers=[handler])
    for noisy in ("httpx", "httpcore", "dlt"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if debug else logging.WARNING)


def _secrets_filter() -> SecretsFilter:
    """Masks every configured secret in every log line."""
    import dlt

    keys = ("access_token", "refresh_token", "client_secret")
    return SecretsFilter(dlt.secrets.get(f"sources.linkedin_ads.{key}") for key in keys)


def exit_code(error: BaseException) -> int:
    """The exit code of a run that raised `error` (its root cause, as pipeline.root_cause finds)."""
    from ingest import pipeline
    from ingest.linkedin_ads.errors import DailyQuotaExceededError
    from ingest.run_lock import WarehouseBusy

    cause = pipeline.root_cause(error)
    if isinstance(cause, ConfigError):
        return EXIT_BAD_SETTINGS
    if isinstance(cause, WarehouseBusy):
        return EXIT_BUSY
    if isinstance(cause, DailyQuotaExceededError):
        return EXIT_STOPPED
    return EXIT_API_REFUSED


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest", description=__doc__)
    parser.add_argument("--debug", action="store_true", help="verbose logs and tracebacks")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="load bronze, dbt build, docs and a summary")
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="reload everything; also starts over when the warehouse holds the other kind of "
        "data (sandbox or real)",
    )
    run.add_argument("--no-docs", action="store_true", help="skip dbt docs generate")
    run.add_argument("--json", action="store_true", help="print the summary as one JSON document")
    load = commands.add_parser("load", help="load bronze only")
    load.add_argument("--full-refresh", action="store_true", help="drop bronze and reload")
    load.add_argument("--json", action="store_true", help="print the summary as one JSON document")
    build = commands.add_parser("build", help="dbt build (silver and gold) on the warehouse")
    build.add_argument("--full-refresh", action="store_true", help="rebuild incremental models")
    commands.add_parser("sandbox", help="serve the local LinkedIn API emulator", add_help=False)
    auth = commands.add_parser("auth", help="sign in to LinkedIn, save tokens to .dlt/secrets.toml")
    auth.add_argument("--no-browser", action="store_true", help="only print the sign-in URL")
    auth.add_argument("--timeout", type=float, default=300.0, help="seconds to wait (300)")
    docs = commands.add_parser("docs", help="generate the dbt docs and serve them on 127.0.0.1")
    docs.add_argument("--port", type=int, default=8080, help="port to serve on (8080)")
    docs.add_argument("--no-serve", action="store_true", help="only generate the docs")
    args, rest = parser.parse_known_args(argv)

    if args.command == "sandbox":
        from ingest.sandbox.server import main as sandbox_main

        return sandbox_main(rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    _configure_logging(args.debug)
    if args.command == "auth":
        return _auth(args)
    if args.command == "docs":
        return _docs(args)
    from ingest import pipeline
    from ingest.dbt_runner import DbtError

    as_json = getattr(args, "json", False)
    try:
        if args.command == "build":
            pipeline.build(full_refresh=args.full_refresh)
            return EXIT_OK
        summary = pipeline.run(
            full_refresh=args.full_refresh,
            build=args.command == "run",
            docs=not getattr(args, "no_docs", False),
            command=args.command,
        )
    except (PipelineStepFailed, *pipeline.EXPECTED_ERRORS, DbtError) as error:
        if args.debug:
            raise
        cause = pipeline.root_cause(error)
        print(f"error: {cause}", file=sys.stderr)
        code = exit_code(error)
        if as_json:
            failed = {"status": "failed", "exit_code": code, "error": str(cause)}
            print(json.dumps(failed))
        return code
    code = EXIT_STOPPED if summary.status == "stopped" else EXIT_OK
    if as_json:
        print(json.dumps({**summary.to_json(), "exit_code": code}))
    else:
        print(summary.text())
    if summary.status == "stopped":
        print(f"error: run stopped early: {summary.result.stats.stopped_by}", file=sys.stderr)
    return code


def _auth(args: argparse.Namespace) -> int:
    """Sign-in: bad settings exit 2; a refused, cancelled or unanswered sign-in exits 3."""
    from ingest.linkedin_ads.auth import OAuthError
    from ingest.linkedin_ads.signin import auth_command

    try:
        return auth_command(open_browser=not args.no_browser, timeout=args.timeout)
    except (ConfigError, OAuthError, OSError) as error:
        if args.debug:
            raise
        if isinstance(error, OSError):
            print(f"error: cannot write {error.filename}: {error.strerror}", file=sys.stderr)
            return EXIT_BAD_SETTINGS
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_SETTINGS if isinstance(error, ConfigError) else EXIT_API_REFUSED


def _docs(args: argparse.Namespace) -> int:
    """dbt docs generate, then serve until Ctrl-C: bad settings (a port in use) exit 2, dbt
    failing exits 3."""
    from ingest import docs_site
    from ingest.dbt_runner import DbtError
    from ingest.warehouse import Warehouse

    try:
        docs_site.docs(Warehouse.from_env(), None if args.no_serve else args.port)
    except (ConfigError, DbtError) as error:
        if args.debug:
            raise
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_SETTINGS if isinstance(error, ConfigError) else EXIT_API_REFUSED
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
