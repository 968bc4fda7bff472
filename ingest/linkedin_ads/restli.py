"""Rest.li 2.0 query encoding, ported from LinkedIn's official Python client.

LinkedIn reads `( ) , :` as structure and everything else percent-encoded, so the query string is
built here and must reach the wire byte for byte (standard clients re-encode and break it).
One deliberate difference from the official encoder: keys keep the order they are given in
(the official client sorts them); the server does not care and logs stay readable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

Params = Mapping[str, Any] | Iterable[tuple[str, Any]]


class Raw(str):
    """A value passed to the wire verbatim, e.g. `Raw("dateRange,pivotValues,impressions")`."""

    __slots__ = ()


def encode(value: Any) -> str:
    """Encode one value: str -> percent-encoded, list -> List(...), dict -> (k:v,...)."""
    if value is None:
        return ""
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return quote(value, safe="")
    if isinstance(value, list | tuple):
        return "List(" + ",".join(encode(item) for item in value) + ")"
    if isinstance(value, Mapping):
        return "(" + ",".join(f"{encode(k)}:{encode(v)}" for k, v in value.items()) + ")"
    return str(value)


def encode_query(params: Params) -> str:
    """Encode query parameters as `k=v&k2=v2` in the given order; `None` values are left out."""
    pairs = params.items() if isinstance(params, Mapping) else params
    return "&".join(
        f"{quote(key, safe='')}={encode(value)}" for key, value in pairs if value is not None
    )


def urn(kind: str, id: int | str) -> str:
    """Build a LinkedIn URN: `urn("sponsoredAccount", 1)` -> `urn:li:sponsoredAccount:1`."""
    return f"urn:li:{kind}:{id}"


def parse_urn(value: str) -> tuple[str, str]:
    """Split a URN into (kind, id): `urn:li:sponsoredAccount:1` -> ("sponsoredAccount", "1")."""
    parts = value.split(":", 3)
    if len(parts) != 4 or parts[:2] != ["urn", "li"] or not parts[2] or not parts[3]:
        raise ValueError(f"not a LinkedIn URN: {value!r}")
    return parts[2], parts[3]
