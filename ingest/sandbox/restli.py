"""Server-side parsing of Rest.li query strings: 2.0 values and 1.0 dotted/indexed keys."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from .errors import ApiError, bad_request

_INDEX = re.compile(r"\[(\d+)\]")


class RestliSyntaxError(ValueError):
    """A value that is not valid Rest.li 2.0."""


class _Parser:
    """Recursive-descent parser of one Rest.li 2.0 value (literal, List(...) or (k:v,...))."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def parse(self) -> Any:
        value = self.value()
        if self.pos != len(self.text):
            raise RestliSyntaxError(f"unexpected {self.text[self.pos :]!r}")
        return value

    def value(self) -> Any:
        text = self.text
        if text.startswith("List(", self.pos):
            self.pos += 5
            items: list[Any] = []
            if self._peek() == ")":
                self.pos += 1
                return items
            while True:
                items.append(self.value())
                if self._take(",", ")") == ")":
                    return items
        if self._peek() == "(":
            self.pos += 1
            obj: dict[str, Any] = {}
            if self._peek() == ")":
                self.pos += 1
                return obj
            while True:
                end = text.find(":", self.pos)
                if end < 0:
                    raise RestliSyntaxError("object key without ':'")
                key = unquote(text[self.pos : end])
                self.pos = end + 1
                obj[key] = self.value()
                if self._take(",", ")") == ")":
                    return obj
        start = self.pos
        while self.pos < len(text) and text[self.pos] not in ",)(":
            self.pos += 1
        return unquote(text[start : self.pos])

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def _take(self, *allowed: str) -> str:
        char = self._peek()
        if char not in allowed or not char:
            raise RestliSyntaxError(f"expected one of {allowed} at {self.pos}")
        self.pos += 1
        return char


def parse_value(raw: str) -> Any:
    """Decode one Rest.li 2.0 encoded value (structure characters literal, strings %-encoded)."""
    return _Parser(raw).parse()


@dataclass
class Query:
    """A parsed query string: structured values by top-level key, plus the raw values."""

    values: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        return self.values.get(name)

    def __contains__(self, name: str) -> bool:
        return name in self.values


def _assign(target: dict[Any, Any], path: list[str | int], value: str) -> None:
    node = target
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[path[-1]] = value


def _path(key: str) -> list[str | int]:
    path: list[str | int] = []
    for part in key.split("."):
        name, _, rest = part.partition("[")
        path.append(name)
        path.extend(int(m) for m in _INDEX.findall("[" + rest) if rest)
    return path


def parse_query(raw: str) -> Query:
    """Parse `k=v&...`; keys with '.' or '[i]' are Rest.li 1.0 paths, others 2.0 values."""
    query = Query()
    for pair in raw.split("&"):
        if not pair:
            continue
        raw_key, _, raw_value = pair.partition("=")
        key = unquote(raw_key.replace("+", " "))
        if "." in key or "[" in key:
            _assign(query.values, _path(key), unquote(raw_value))
            continue
        if key == "fields":  # a projection: a plain comma list, never a Rest.li value
            query.values[key] = unquote(raw_value)
            query.raw[key] = raw_value
            continue
        try:
            value = parse_value(raw_value)
        except RestliSyntaxError as exc:
            raise bad_request(f"Invalid value for query parameter '{key}': {exc}") from exc
        if key in query.values:  # Rest.li 1.0 also repeats a key for an array
            previous = query.values[key]
            query.values[key] = [*(previous if isinstance(previous, list) else [previous]), value]
        else:
            query.values[key] = value
            query.raw[key] = raw_value
    return query


def as_list(value: Any) -> list[Any]:
    """An array in any accepted form: List(...), 1.0 {index: v} or a bare value."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and value and all(isinstance(k, int) for k in value):
        return [value[k] for k in sorted(value)]
    return [value]


def enum_value(value: Any, name: str) -> str | None:
    """An enum given as X, (value:X) or name.value=X."""
    if value is None:
        return None
    if isinstance(value, dict):
        value = value.get("value")
    if not isinstance(value, str) or not value:
        raise bad_request(f"Invalid value for parameter '{name}'")
    return value


def search_values(search: Any, key: str) -> list[str] | None:
    """`search=(key:(values:List(...)))` -> the list, or None when the criterion is absent."""
    if search is None:
        return None
    if not isinstance(search, dict):
        raise bad_request("Invalid value for parameter 'search'")
    criterion = search.get(key)
    if criterion is None:
        return None
    if isinstance(criterion, dict) and "values" in criterion:
        return [str(v) for v in as_list(criterion["values"])]
    raise bad_request(f"Invalid search criterion '{key}'")


def urn_id(urn: str, kind: str) -> int:
    """`urn:li:<kind>:N` -> N, 400 otherwise."""
    prefix = f"urn:li:{kind}:"
    if not urn.startswith(prefix) or not urn[len(prefix) :].isdigit():
        raise bad_request(f"Invalid URN '{urn}': expected urn:li:{kind}:<id>")
    return int(urn[len(prefix) :])


def encode_page_token(kind: str, offset: int) -> str:
    """An opaque cursor for an entity finder."""
    return base64.urlsafe_b64encode(f"{kind}|{offset}".encode()).decode().rstrip("=")


def decode_page_token(token: str, kind: str) -> int:
    """The offset of a cursor made by encode_page_token for the same finder, else 400."""
    try:
        padded = token + "=" * (-len(token) % 4)
        token_kind, _, offset = base64.urlsafe_b64decode(padded).decode().partition("|")
        if token_kind == kind and offset.isdigit():
            return int(offset)
    except (ValueError, UnicodeDecodeError):
        pass
    raise ApiError(400, {"status": 400, "message": "Invalid page token"})
