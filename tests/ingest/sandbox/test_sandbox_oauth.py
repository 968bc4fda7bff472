"""The sandbox's 3-legged OAuth: the consent page answered at once, and the code grant."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sandbox_helpers import Api

REDIRECT = "http://127.0.0.1:9/callback"


def authorize(api: Api, **overrides: str) -> httpx.Response:
    params = {
        "response_type": "code",
        "client_id": api.sandbox.client_id,
        "redirect_uri": REDIRECT,
        "state": "st8",
        "scope": "r_ads r_ads_reporting",
        **overrides,
    }
    return api.http.get(f"{api.sandbox.oauth_url}/authorization", params=params)


def redirected(response: httpx.Response) -> dict[str, str]:
    """The query of a 302 back to REDIRECT."""
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    return {key: values[0] for key, values in parse_qs(location.query).items()}


def code_form(api: Api, code: str, **overrides: str) -> dict[str, str]:
    return {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": api.sandbox.client_id,
        "client_secret": api.sandbox.client_secret,
        **overrides,
    }


def test_an_approved_sign_in_redirects_with_a_code_and_the_state(api: Api) -> None:
    answer = redirected(authorize(api))
    assert set(answer) == {"code", "state"}
    assert answer["state"] == "st8"


def test_the_code_buys_tokens_as_linkedin_returns_them_and_only_once(api: Api) -> None:
    code = redirected(authorize(api))["code"]
    response = api.oauth("accessToken", code_form(api, code))
    assert response.status_code == 200
    body = response.json()
    assert body["expires_in"] == 60 * 86_400
    assert body["refresh_token_expires_in"] == 365 * 86_400
    assert body["scope"] == "r_ads,r_ads_reporting"  # comma-separated, as LinkedIn answers
    api.token = body["access_token"]
    assert api.get("adAccounts", "q=search").status_code == 200
    again = api.oauth("accessToken", code_form(api, code))
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_request"


def test_a_code_is_bound_to_its_redirect_uri(api: Api) -> None:
    code = redirected(authorize(api))["code"]
    response = api.oauth("accessToken", code_form(api, code, redirect_uri=REDIRECT + "2"))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_redirect_uri"
    # and it was used up by the failed attempt
    assert api.oauth("accessToken", code_form(api, code)).status_code == 400


def test_a_code_exchange_without_redirect_uri_is_refused(api: Api) -> None:
    code = redirected(authorize(api))["code"]
    form = code_form(api, code)
    del form["redirect_uri"]
    response = api.oauth("accessToken", form)
    assert response.status_code == 400
    assert "redirect_uri" in response.json()["error_description"]


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"client_id": "someone-else"}, "invalid_client"),
        ({"redirect_uri": "not a url"}, "invalid_redirect_uri"),
    ],
)
def test_an_unknown_client_or_bad_redirect_stays_on_linkedin(
    api: Api, overrides: dict[str, str], error: str
) -> None:
    response = authorize(api, **overrides)
    assert response.status_code == 400
    assert response.json()["error"] == error


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"scope": "r_ads r_everything"}, "invalid_scope"),
        ({"scope": ""}, "invalid_scope"),
        ({"response_type": "token"}, "unsupported_response_type"),
    ],
)
def test_other_authorization_errors_go_back_to_the_redirect(
    api: Api, overrides: dict[str, str], error: str
) -> None:
    answer = redirected(authorize(api, **overrides))
    assert answer["error"] == error
    assert answer["state"] == "st8"
    assert "code" not in answer


@pytest.mark.parametrize("cancel", ["user_cancelled_login", "user_cancelled_authorize"])
def test_a_member_who_cancels_is_sent_back_with_the_error(
    fresh: Callable[..., Api], cancel: str
) -> None:
    api = fresh(authorization_answer=cancel)
    answer = redirected(authorize(api))
    assert answer["error"] == cancel
    assert answer["error_description"]
    assert answer["state"] == "st8"
    assert "code" not in answer


def test_the_answer_knob_refuses_what_a_member_cannot_answer() -> None:
    from ingest.sandbox import SandboxConfig

    with pytest.raises(ValueError, match="authorization_answer"):
        SandboxConfig(authorization_answer="maybe")
