"""Rest.li 2.0 encoding: what LinkedIn expects on the wire (reference §1.2)."""

from __future__ import annotations

import pytest

from ingest.linkedin_ads.restli import Raw, encode, encode_query, parse_urn, urn


def test_urn_string_is_percent_encoded_with_nothing_safe() -> None:
    assert encode("urn:li:sponsoredAccount:123") == "urn%3Ali%3AsponsoredAccount%3A123"
    assert encode("a b,c/d(e)") == "a%20b%2Cc%2Fd%28e%29"


def test_scalars_encode_as_restli_literals() -> None:
    assert encode(True) == "true"
    assert encode(False) == "false"
    assert encode(42) == "42"
    assert encode(1.5) == "1.5"
    assert encode(None) == ""


def test_list_of_urns_becomes_list_with_encoded_items() -> None:
    urns = [urn("sponsoredCampaign", 1), urn("sponsoredCampaign", 2)]
    assert encode(urns) == "List(urn%3Ali%3AsponsoredCampaign%3A1,urn%3Ali%3AsponsoredCampaign%3A2)"
    assert encode(("ACTIVE", "PAUSED")) == "List(ACTIVE,PAUSED)"
    assert encode([]) == "List()"


def test_nested_objects_keep_key_order_and_structure_characters() -> None:
    date_range = {
        "start": {"year": 2025, "month": 1, "day": 29},
        "end": {"year": 2025, "month": 2, "day": 3},
    }
    assert encode(date_range) == "(start:(year:2025,month:1,day:29),end:(year:2025,month:2,day:3))"
    search = {"status": {"values": ["ACTIVE", "PAUSED"]}}
    assert encode(search) == "(status:(values:List(ACTIVE,PAUSED)))"


def test_raw_value_is_passed_verbatim() -> None:
    assert encode(Raw("dateRange,pivotValues,impressions")) == "dateRange,pivotValues,impressions"
    assert encode([Raw("a:b")]) == "List(a:b)"


def test_encode_query_keeps_the_given_order_and_drops_none() -> None:
    params = [
        ("q", "analytics"),
        ("pivot", {"value": "CAMPAIGN"}),
        ("timeGranularity", {"value": "DAILY"}),
        ("accounts", [urn("sponsoredAccount", 5)]),
        ("pageToken", None),
        ("fields", Raw("dateRange,pivotValues,clicks")),
    ]
    assert encode_query(params) == (
        "q=analytics&pivot=(value:CAMPAIGN)&timeGranularity=(value:DAILY)"
        "&accounts=List(urn%3Ali%3AsponsoredAccount%3A5)&fields=dateRange,pivotValues,clicks"
    )
    assert encode_query({"z": 1, "a": 2}) == "z=1&a=2"


def test_urn_round_trips_through_parse_urn() -> None:
    assert urn("sponsoredAccount", 1) == "urn:li:sponsoredAccount:1"
    assert parse_urn("urn:li:sponsoredAccount:1") == ("sponsoredAccount", "1")
    assert parse_urn("urn:li:adAccountUser:(urn:li:sponsoredAccount:1,urn:li:person:x)") == (
        "adAccountUser",
        "(urn:li:sponsoredAccount:1,urn:li:person:x)",
    )


@pytest.mark.parametrize(
    "value", ["", "sponsoredAccount:1", "urn:li:sponsoredAccount", "urn:x:a:1"]
)
def test_parse_urn_rejects_what_is_not_a_linkedin_urn(value: str) -> None:
    with pytest.raises(ValueError, match="not a LinkedIn URN"):
        parse_urn(value)
