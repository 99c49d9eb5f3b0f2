"""Limits on successes: live sessions per account, sign-ins per minute, and paged session lists."""

from __future__ import annotations

from typing import Any

import pytest

from tests.security.figures import FIGURES
from tests.support.api import Api, Tokens, assert_error, tokens_of
from tests.support.stores import both_stores

SUITE = "limits on successful sign-ins and session listings held"
pytestmark = both_stores


def test_a_sign_in_beyond_the_cap_ends_the_least_recently_used_session(start_server) -> None:
    server = start_server("--max-sessions", "3")
    api = Api(server.url)
    username = api.sign_up()
    first, second, third = (api.sign_in(username) for _ in range(3))
    first = tokens_of(api.refresh(first.refresh_token))
    fourth = api.sign_in(username)
    body = assert_error(api.refresh(second.refresh_token), 400, "invalid_grant")
    assert "more sessions" in body["error_description"]
    for kept in (first, third, fourth):
        assert api.get("/account", kept.access_token).status_code == 200
    listed = api.get("/sessions", fourth.access_token).json()["sessions"]
    assert {item["id"] for item in listed} == {
        first.session_id,
        third.session_id,
        fourth.session_id,
    }
    assert any(second.session_id in line and "ended" in line for line in server.log)
    FIGURES.tally(SUITE)


def test_successful_sign_ins_of_one_account_are_rate_limited(start_server) -> None:
    api = Api(start_server("--sign-ins-per-minute", "3").url)
    username, other = api.sign_up(), api.sign_up()
    for _ in range(3):
        api.sign_in(username)
    limited = api.post(
        "/sign-in", {"username": username, "password": "correct horse battery staple"}
    )
    body = assert_error(limited, 429, "too_many_attempts")
    assert int(limited.headers["Retry-After"]) >= 1
    assert "sign-ins" in body["error_description"]
    assert api.sign_in(other).access_token
    FIGURES.tally(SUITE)


def pages(api: Api, tokens: Tokens, limit: int) -> list[dict[str, Any]]:
    """Every page of /sessions at `limit` a page, following next_cursor."""
    found: list[dict[str, Any]] = []
    path = f"/sessions?limit={limit}"
    while True:
        response = api.get(path, tokens.access_token)
        assert response.status_code == 200, response.text
        page = response.json()
        assert set(page) == {"sessions", "next_cursor"}
        assert len(page["sessions"]) <= limit
        found.append(page)
        if page["next_cursor"] is None:
            return found
        path = f"/sessions?limit={limit}&cursor={page['next_cursor']}"


def test_sessions_come_in_pages_newest_first(api: Api) -> None:
    username = api.sign_up()
    signed_in = [api.sign_in(username) for _ in range(5)]
    found = pages(api, signed_in[-1], 2)
    assert [len(page["sessions"]) for page in found] == [2, 2, 1]
    listed = [item for page in found for item in page["sessions"]]
    assert sorted(item["id"] for item in listed) == sorted(t.session_id for t in signed_in)
    created = [item["created_at"] for item in listed]
    assert created == sorted(created, reverse=True)
    assert [item["current"] for item in listed].count(True) == 1
    default = api.get("/sessions", signed_in[0].access_token).json()
    assert len(default["sessions"]) == 5
    assert default["next_cursor"] is None
    FIGURES.tally(SUITE)


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=101", "limit=abc", "limit=-1", "limit=" + "9" * 5000, "cursor=not-ours",
     "cursor=", "cursor=%FF%FE"],
)  # fmt: skip
def test_a_bad_limit_or_cursor_is_refused_in_words(api: Api, query: str) -> None:
    _, tokens = api.new_session()
    assert_error(api.get(f"/sessions?{query}", tokens.access_token), 400, "invalid_request")
    FIGURES.tally(SUITE)


def test_the_openapi_document_describes_the_paging(api: Api) -> None:
    operation = api.get("/openapi.json").json()["paths"]["/sessions"]["get"]
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert parameters["limit"]["schema"] == {
        "type": "integer", "minimum": 1, "maximum": 100, "default": 50
    }  # fmt: skip
    assert parameters["cursor"]["schema"]["type"] == "string"
    assert "400" in operation["responses"]


@pytest.mark.parametrize("query", ["page=2", "limit=2&limit=3", "cursor=a&cursor=b"])
def test_unknown_or_repeated_paging_parameters_are_refused(api: Api, query: str) -> None:
    _, tokens = api.new_session()
    assert_error(api.get(f"/sessions?{query}", tokens.access_token), 400, "invalid_request")
