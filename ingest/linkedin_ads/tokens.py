"""The tokens in `.dlt/secrets.toml`: written atomically with mode 0600, other keys kept.

`make auth` writes a sign-in here, and a run writes back the access token it refreshed, but only
when the token it replaced is the one this file holds: a token from the environment is never
copied into the file. Expiry instants are stored beside the tokens as ISO 8601 UTC strings
(`access_token_expires_at`, `refresh_token_expires_at`), which is how the client knows when to
refresh proactively and when to warn.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import threading
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import InlineTable, Table

from ingest.linkedin_ads.config import SETTING_PREFIX, ConfigError

__all__ = [
    "SECTION",
    "SecretsWriteback",
    "expires_at",
    "format_instant",
    "parse_instant",
    "read_section",
    "secrets_path",
    "update_section",
]

SECTION = ("sources", "linkedin_ads")
log = logging.getLogger("ingest.linkedin_ads")
_write_lock = threading.Lock()


def secrets_path() -> Path:
    """The project's `.dlt/secrets.toml`, as dlt reads it (DLT_PROJECT_DIR or the working dir)."""
    import dlt

    return Path(dlt.current.run_context().settings_dir) / "secrets.toml"


def read_section(path: Path) -> dict[str, Any]:
    """The `[sources.linkedin_ads]` keys of a secrets file; empty when it or the file is missing."""
    if not path.exists():
        return {}
    section: Any = tomlkit.parse(path.read_text(encoding="utf-8"))
    for key in SECTION:
        if not isinstance(section, Mapping) or key not in section:
            return {}
        section = section[key]
    if isinstance(section, Table | InlineTable):
        return dict(section.unwrap())
    return {}


def update_section(path: Path, values: Mapping[str, Any], remove: Iterable[str] = ()) -> None:
    """Set `values` (and drop `remove`) in `[sources.linkedin_ads]` of the file at `path`.

    Comments, other keys and other sections stay as they are. The new content goes to a temporary
    file created with mode 0600 in the same folder, then replaces the file in one rename: a
    reader sees the old file or the new one, never a half-written one or a readable one."""
    path = path.resolve()
    with _write_lock:
        document = (
            tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else tomlkit.document()
        )
        table: Any = document
        for key in SECTION:
            if key not in table:
                table.add(key, tomlkit.table(is_super_table=key != SECTION[-1]))
            table = table[key]
        for key, value in values.items():
            table[key] = value
        for key in remove:
            if key in table:
                del table[key]
        _atomic_write(path, tomlkit.dumps(document))


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp creates the file with mode 0600 (O_EXCL): no moment where others may read it.
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):  # make the rename durable where the OS allows it
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def format_instant(instant: datetime) -> str:
    """An instant as stored: ISO 8601 in UTC, to the second (`2026-03-01T12:00:00Z`)."""
    return instant.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def expires_at(issued_at: datetime, seconds: int | None) -> datetime | None:
    return issued_at + timedelta(seconds=int(seconds)) if seconds else None


def parse_instant(name: str, value: Any) -> datetime | None:
    """An `*_EXPIRES_AT` setting: ISO 8601 (UTC unless it says otherwise) or epoch seconds."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        instant = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        instant = datetime.fromtimestamp(value, UTC)
    else:
        text = str(value).strip()
        try:
            instant = (
                datetime.fromtimestamp(int(text), UTC)
                if text.isdigit()
                else datetime.fromisoformat(text.replace("Z", "+00:00"))
            )
        except (ValueError, OverflowError):
            raise ConfigError(
                f"{SETTING_PREFIX}{name.upper()}: {text!r} is not an instant "
                "(expected YYYY-MM-DDTHH:MM:SSZ; `make auth` writes it)"
            ) from None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


class SecretsWriteback:
    """Saves a token the client refreshed into the secrets file it came from.

    Called by the client with the access and refresh tokens it replaced, what the token endpoint
    returned and when. It writes only when the file holds the replaced access token: a token
    that came from the environment (or from the built-in sandbox) stays out of the file, and a
    log line says the refreshed token lives only for this run."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else secrets_path()

    def __call__(
        self, replaced: str, refresh_used: str | None, token: Any, issued_at: datetime
    ) -> None:
        stored = read_section(self.path)
        if not stored or stored.get("access_token") != replaced:
            log.info(
                "the refreshed access token is kept for this run only: the token it replaced "
                "did not come from %s (an environment variable wins over the file)",
                self.path,
            )
            return
        values: dict[str, Any] = {"access_token": token.access_token}
        access_expiry = expires_at(issued_at, token.expires_in)
        if access_expiry is not None:
            values["access_token_expires_at"] = format_instant(access_expiry)
        if refresh_used is not None and stored.get("refresh_token") == refresh_used:
            if token.refresh_token:
                values["refresh_token"] = token.refresh_token
            refresh_expiry = expires_at(issued_at, token.refresh_token_expires_in)
            if refresh_expiry is not None:
                values["refresh_token_expires_at"] = format_instant(refresh_expiry)
        update_section(self.path, values)
        log.info("saved the refreshed access token to %s", self.path)
