"""Rest.li query-string parsing for the emulator, plus the error type every layer raises.

The parser works on the raw (still percent-encoded) query string, the way a Rest.li server does:
`&` separates parameters, and in protocol 2.0 the structural characters `List(`, `(`, `)`, `,`
and `:` are read literally while each leaf is percent-decoded on its own. A client that
percent-encodes the parentheses therefore sends a plain string, not a record, and is refused
later by the validation of that parameter (LinkedIn is reported to fail such requests too).

Protocol 1.0 (no `X-Restli-Protocol-Version: 2.0.0` header) has no structured values; instead
keys carry the structure (`dateRange.start.day=1`, `campaigns[0]=urn:li:...`). Dotted and indexed
keys are folded into nested dicts and lists in both modes, so the callers see one shape.

Choices where LinkedIn's behaviour is not documented:
* leaves inside `List(...)` and records may contain raw `:` (an unencoded URN is accepted);
* `''` is the empty string; `+` is a literal plus in 2.0 and a space in 1.0 (form semantics).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, unquote_plus

_KEY_TOKEN = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


class ApiError(Exception):
    """An HTTP error answer: status plus the JSON body LinkedIn would send."""

    def __init__(self, status: int, message: str, code: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        body: dict[str, Any] = {"status": status}
        if code:
            body["code"] = code
        body.update(extra)
        body["message"] = message
        self.body = body


class RestliSyntaxError(ValueError):
    """The query string does not follow the Rest.li grammar."""


def parse_query(query: str, *, v2: bool) -> dict[str, Any]:
    """Parse a raw query string (or tunnelled form body) into nested Python values."""
    params: dict[Any, Any] = {}
    for part in query.split("&"):
        if not part:
            continue
        raw_key, _, raw_value = part.partition("=")
        key = unquote_plus(raw_key)
        value = parse_value(raw_value) if v2 else unquote_plus(raw_value)
        tokens: list[Any] = [int(i) if i else name for i, name in _KEY_TOKEN.findall(key)]
        if not tokens:
            raise RestliSyntaxError(f"empty parameter name in {part!r}")
        node = params
        for token in tokens[:-1]:
            node = node.setdefault(token, {})
            if not isinstance(node, dict):
                raise RestliSyntaxError(f"conflicting parameter {key!r}")
        node[tokens[-1]] = value
    return _listify(params)


def _listify(node: Any) -> Any:
    if isinstance(node, dict):
        node = {k: _listify(v) for k, v in node.items()}
        if node and all(isinstance(k, int) for k in node):
            return [node[k] for k in sorted(node)]
    return node


def parse_value(raw: str) -> Any:
    """Decode one Rest.li 2.0 value: `List(...)`, `(k:v,...)` or a percent-encoded leaf."""
    if raw.startswith(("List(", "(")):
        value, end = _parse(raw, 0)
        if end != len(raw):
            raise RestliSyntaxError(f"trailing characters after position {end} in {raw!r}")
        return value
    return _leaf(raw)


def _leaf(raw: str) -> str:
    return "" if raw == "''" else unquote(raw)


def _parse(s: str, i: int) -> tuple[Any, int]:
    if s.startswith("List(", i):
        items: list[Any] = []
        i += 5
        if s.startswith(")", i):
            return items, i + 1
        while True:
            item, i = _parse(s, i)
            items.append(item)
            i = _separator(s, i)
            if s[i - 1] == ")":
                return items, i
    if s.startswith("(", i):
        record: dict[str, Any] = {}
        i += 1
        if s.startswith(")", i):
            return record, i + 1
        while True:
            colon = s.find(":", i)
            key = _leaf(s[i:colon]) if colon > i else ""
            if not key or any(c in s[i:colon] for c in "(),"):
                raise RestliSyntaxError(f"bad record key at position {i} in {s!r}")
            record[key], i = _parse(s, colon + 1)
            i = _separator(s, i)
            if s[i - 1] == ")":
                return record, i
    j = i
    while j < len(s) and s[j] not in ",)":
        if s[j] == "(":
            raise RestliSyntaxError(f"unexpected '(' at position {j} in {s!r}")
        j += 1
    return _leaf(s[i:j]), j


def _separator(s: str, i: int) -> int:
    if i >= len(s) or s[i] not in ",)":
        raise RestliSyntaxError(f"expected ',' or ')' at position {i} in {s!r}")
    return i + 1
