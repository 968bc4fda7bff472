"""The secrets file: 0600 from creation, other keys kept, atomic; and the refresh writeback."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import tomlkit

from ingest.linkedin_ads import tokens
from ingest.linkedin_ads.auth import Token
from ingest.linkedin_ads.config import ConfigError

ISSUED = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that hides nothing: a 0600 file is 0600 because the writer made it so."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def test_a_new_file_is_0600_from_its_creation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_umask: None
) -> None:
    path = tmp_path / ".dlt" / "secrets.toml"
    modes_before_rename: list[int] = []
    real_replace = os.replace

    def replace(source: str, target: Path) -> None:
        modes_before_rename.append(mode(Path(source)))
        real_replace(source, target)

    monkeypatch.setattr(tokens.os, "replace", replace)
    tokens.update_section(path, {"access_token": "AQV-1"})

    assert modes_before_rename == [0o600]
    assert mode(path) == 0o600
    assert tokens.read_section(path) == {"access_token": "AQV-1"}


def test_an_existing_readable_file_becomes_0600(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "secrets.toml"
    path.write_text("[sources.linkedin_ads]\n")
    path.chmod(0o644)
    tokens.update_section(path, {"access_token": "AQV-1"})
    assert mode(path) == 0o600


def test_update_keeps_other_keys_sections_and_comments(tmp_path: Path) -> None:
    path = tmp_path / "secrets.toml"
    path.write_text(
        "# my secrets\n"
        "[destination.postgres.credentials]\n"
        'password = "pg"  # keep me\n'
        "\n"
        "[sources.linkedin_ads]\n"
        'client_id = "86abc"\n'
        'access_token = "AQV-old"\n'
        'refresh_token = "AQW-old"\n'
    )
    tokens.update_section(
        path, {"access_token": "AQV-new", "access_token_expires_at": "x"}, ["refresh_token"]
    )
    text = path.read_text()
    assert "# my secrets" in text
    assert 'password = "pg"  # keep me' in text
    document = tomlkit.parse(text).unwrap()
    assert document["destination"] == {"postgres": {"credentials": {"password": "pg"}}}
    assert document["sources"]["linkedin_ads"] == {
        "client_id": "86abc",
        "access_token": "AQV-new",
        "access_token_expires_at": "x",
    }


def test_a_file_without_the_section_gains_it(tmp_path: Path) -> None:
    path = tmp_path / "secrets.toml"
    path.write_text('[sources.other]\nkey = "v"\n')
    tokens.update_section(path, {"access_token": "AQV-1"})
    document = tomlkit.parse(path.read_text()).unwrap()
    assert document == {
        "sources": {"other": {"key": "v"}, "linkedin_ads": {"access_token": "AQV-1"}}
    }


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "secrets.toml"
    path.write_text('[sources.linkedin_ads]\naccess_token = "AQV-old"\n')

    def replace(source: str, target: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tokens.os, "replace", replace)
    with pytest.raises(OSError, match="No space"):
        tokens.update_section(path, {"access_token": "AQV-new"})
    assert tokens.read_section(path) == {"access_token": "AQV-old"}
    assert [p.name for p in tmp_path.iterdir()] == ["secrets.toml"]


def test_read_section_of_a_missing_file_or_section_is_empty(tmp_path: Path) -> None:
    assert tokens.read_section(tmp_path / "missing.toml") == {}
    path = tmp_path / "secrets.toml"
    path.write_text('sources.linkedin_ads.access_token = "AQV-dotted"\n')
    assert tokens.read_section(path) == {"access_token": "AQV-dotted"}
    path.write_text("[sources]\nother = 1\n")
    assert tokens.read_section(path) == {}


def test_instants_parse_iso_and_epoch_and_name_the_setting_when_bad() -> None:
    assert tokens.parse_instant("access_token_expires_at", "2026-03-01T12:00:00Z") == ISSUED
    assert tokens.parse_instant("x", "2026-03-01T12:00:00") == ISSUED
    assert tokens.parse_instant("x", int(ISSUED.timestamp())) == ISSUED
    assert tokens.parse_instant("x", "") is None
    assert tokens.format_instant(ISSUED) == "2026-03-01T12:00:00Z"
    with pytest.raises(ConfigError, match=r"^SOURCES__LINKEDIN_ADS__ACCESS_TOKEN_EXPIRES_AT: "):
        tokens.parse_instant("access_token_expires_at", "next tuesday")


def signed_in_file(tmp_path: Path) -> Path:
    path = tmp_path / "secrets.toml"
    tokens.update_section(
        path,
        {"client_id": "86abc", "access_token": "AQV-old", "refresh_token": "AQW-1"},
    )
    return path


def test_writeback_saves_a_refreshed_token_that_replaced_the_files_token(tmp_path: Path) -> None:
    path = signed_in_file(tmp_path)
    token = Token("AQV-new", 5_184_000, "AQW-2", 86_400 * 300)
    tokens.SecretsWriteback(path)("AQV-old", "AQW-1", token, ISSUED)
    assert tokens.read_section(path) == {
        "client_id": "86abc",
        "access_token": "AQV-new",
        "access_token_expires_at": "2026-04-30T12:00:00Z",
        "refresh_token": "AQW-2",
        "refresh_token_expires_at": "2026-12-26T12:00:00Z",
    }
    assert mode(path) == 0o600


def test_writeback_leaves_the_file_alone_when_the_token_came_from_elsewhere(
    tmp_path: Path,
) -> None:
    path = signed_in_file(tmp_path)
    before = path.read_text()
    token = Token("AQV-new", 5_184_000, "AQW-2", 100)
    tokens.SecretsWriteback(path)("AQV-from-the-environment", "AQW-1", token, ISSUED)
    assert path.read_text() == before
    missing = tmp_path / "missing.toml"
    tokens.SecretsWriteback(missing)("AQV-old", "AQW-1", token, ISSUED)
    assert not missing.exists()


def test_writeback_keeps_a_refresh_token_that_did_not_come_from_the_file(tmp_path: Path) -> None:
    path = signed_in_file(tmp_path)
    token = Token("AQV-new", 5_184_000, "AQW-rotated", 100)
    tokens.SecretsWriteback(path)("AQV-old", "AQW-from-the-environment", token, ISSUED)
    stored = tokens.read_section(path)
    assert stored["access_token"] == "AQV-new"
    assert stored["refresh_token"] == "AQW-1"
