"""Command line: python -m ingest {run, load, build, auth, sandbox}.

Expected failures (bad settings, an API refusal, an unreachable warehouse) print one line naming
the setting or the API's message and exit non-zero; `--debug` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from dlt.pipeline.exceptions import PipelineStepFailed

from ingest.linkedin_ads import ConfigError
from ingest.linkedin_ads.analytics import TruncatedAnalyticsError
from ingest.linkedin_ads.errors import LinkedInError, SecretsFilter

EXPECTED = (ConfigError, LinkedInError, TruncatedAnalyticsError)


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


def _root_cause(error: BaseException) -> BaseException:
    """The exception that dlt wrapped while extracting, normalizing or loading."""
    seen = set()
    while id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, EXPECTED):
            return error
        inner = getattr(error, "exception", None) or error.__cause__ or error.__context__
        if inner is None:
            break
        error = inner
    return error


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest", description=__doc__)
    parser.add_argument("--debug", action="store_true", help="verbose logs and tracebacks")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="load bronze, dbt build, docs and a summary")
    run.add_argument("--full-refresh", action="store_true", help="reload everything")
    run.add_argument("--no-docs", action="store_true", help="skip dbt docs generate")
    load = commands.add_parser("load", help="load bronze only")
    load.add_argument("--full-refresh", action="store_true", help="drop bronze and reload")
    build = commands.add_parser("build", help="dbt build (silver and gold) on the warehouse")
    build.add_argument("--full-refresh", action="store_true", help="rebuild incremental models")
    commands.add_parser("sandbox", help="serve the local LinkedIn API emulator", add_help=False)
    auth = commands.add_parser("auth", help="sign in to LinkedIn, save tokens to .dlt/secrets.toml")
    auth.add_argument("--no-browser", action="store_true", help="only print the sign-in URL")
    auth.add_argument("--timeout", type=float, default=300.0, help="seconds to wait (300)")
    args, rest = parser.parse_known_args(argv)

    if args.command == "sandbox":
        from ingest.sandbox.server import main as sandbox_main

        return sandbox_main(rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    _configure_logging(args.debug)
    if args.command == "auth":
        return _auth(args)
    from ingest import pipeline

    try:
        if args.command == "run":
            return pipeline.run(full_refresh=args.full_refresh, docs=not args.no_docs)
        if args.command == "build":
            return pipeline.build(full_refresh=args.full_refresh)
        return pipeline.run(full_refresh=args.full_refresh, build=False)
    except (PipelineStepFailed, *EXPECTED, pipeline.DbtError) as error:
        if args.debug:
            raise
        cause = _root_cause(error)
        print(f"error: {cause}", file=sys.stderr)
        return 2 if isinstance(cause, ConfigError) else 1


def _auth(args: argparse.Namespace) -> int:
    """Sign-in: bad settings exit 2; a refused, cancelled or unanswered sign-in exits 3."""
    from ingest.linkedin_ads.auth import OAuthError, auth_command

    try:
        return auth_command(open_browser=not args.no_browser, timeout=args.timeout)
    except (ConfigError, OAuthError, OSError) as error:
        if args.debug:
            raise
        if isinstance(error, OSError):
            print(f"error: cannot write {error.filename}: {error.strerror}", file=sys.stderr)
            return 2
        print(f"error: {error}", file=sys.stderr)
        return 2 if isinstance(error, ConfigError) else 3


if __name__ == "__main__":
    sys.exit(main())
