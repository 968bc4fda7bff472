"""The sandbox's server-side Rest.li parsing."""

from __future__ import annotations

import pytest

from ingest.sandbox.errors import ApiError
from ingest.sandbox.restli import (
    as_list,
    decode_page_token,
    encode_page_token,
    enum_value,
    parse_query,
    parse_value,
)


def test_parse_value_reads_lists_objects_and_encoded_strings() -> None:
    raw = (
        "(start:(year:2026,month:1,day:2),ids:List(urn%3Ali%3Aa%3A1,urn:li:a:2),name:A%20B%2C%20C)"
    )
    assert parse_value(raw) == {
        "start": {"year": "2026", "month": "1", "day": "2"},
        "ids": ["urn:li:a:1", "urn:li:a:2"],
        "name": "A B, C",
    }
    assert parse_value("List()") == []
    assert parse_value("()") == {}


def test_parse_query_accepts_restli_1_paths_and_indexes() -> None:
    query = parse_query(
        "q=analytics&dateRange.start.day=3&dateRange.start.month=2&dateRange.start.year=2026"
        "&campaigns[1]=urn:li:c:2&campaigns%5B0%5D=urn%3Ali%3Ac%3A1&pivot.value=CAMPAIGN"
    )
    assert query.get("dateRange") == {"start": {"day": "3", "month": "2", "year": "2026"}}
    assert as_list(query.get("campaigns")) == ["urn:li:c:1", "urn:li:c:2"]
    assert enum_value(query.get("pivot"), "pivot") == "CAMPAIGN"


def test_fields_stay_a_plain_comma_list() -> None:
    assert parse_query("fields=a%2Cb,c").get("fields") == "a,b,c"


def test_malformed_value_is_400() -> None:
    with pytest.raises(ApiError) as error:
        parse_query("search=(status:(values:List(ACTIVE)")
    assert error.value.status == 400


def test_page_tokens_are_opaque_and_bound_to_their_finder() -> None:
    token = encode_page_token("adCampaigns:1", 200)
    assert "200" not in token
    assert decode_page_token(token, "adCampaigns:1") == 200
    with pytest.raises(ApiError):
        decode_page_token(token, "creatives:1")
