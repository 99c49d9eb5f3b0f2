"""Sign-up and sign-in: validation, normalisation, credentials and throttling."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.support.api import PASSWORD, Api, assert_error
from tests.support.stores import both_stores

pytestmark = both_stores


def test_sign_up_returns_the_normalised_username(api: Api) -> None:
    response = api.post("/sign-up", {"username": "  MiXeD.Case ", "password": PASSWORD})
    assert response.status_code == 201
    assert response.json() == {"username": "mixed.case"}


@pytest.mark.parametrize(
    ("variant", "original"),
    [
        ("CASEUSER", "caseuser"),
        ("ｗｉｄｅｕｓｅｒ", "wideuser"),
        ("ﬁlename", "filename"),
        ("STRASSE", "straße"),
    ],
    ids=["case", "width", "compatibility", "casefold"],
)
def test_usernames_differing_only_by_form_are_one_account(
    api: Api, variant: str, original: str
) -> None:
    api.sign_up(original)
    assert_error(
        api.post("/sign-up", {"username": variant, "password": PASSWORD}), 409, "username_taken"
    )
    assert api.sign_in(variant).session_id


@pytest.mark.parametrize(
    "body",
    [
        {"username": "ab", "password": PASSWORD},
        {"username": "has space", "password": PASSWORD},
        {"username": "x" * 65, "password": PASSWORD},
        {"username": 42, "password": PASSWORD},
        {"password": PASSWORD},
        {"username": "validname", "password": "short1"},
        {"username": "validname", "password": "password123"},
        {"username": "validname", "password": "x" * 1025},
        {"username": "validname", "password": None},
        {"username": "validname", "password": ["list"]},
    ],
    ids=[
        "too-short-name", "space-in-name", "too-long-name", "number-name", "no-name",
        "short-password", "common-password", "too-long-password", "null-password", "list-password",
    ],
)  # fmt: skip
def test_sign_up_refuses_bad_input_with_a_reason(api: Api, body: dict) -> None:
    assert_error(api.post("/sign-up", body), 400, "invalid_request")


def test_common_password_is_refused_in_words(api: Api) -> None:
    body = assert_error(
        api.post("/sign-up", {"username": "commonpw", "password": "password1"}),
        400,
        "invalid_request",
    )
    assert "common" in body["error_description"].lower()


def test_long_password_is_not_truncated(api: Api) -> None:
    password = "correct horse battery staple " * 30
    username = api.sign_up(password=password)
    assert api.sign_in(username, password).access_token
    assert_error(
        api.post("/sign-in", {"username": username, "password": password[:-1]}),
        401,
        "invalid_credentials",
    )


def test_sign_in_gives_a_token_response(api: Api) -> None:
    username = api.sign_up()
    response = api.post("/sign-in", {"username": username, "password": PASSWORD})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {
        "access_token", "token_type", "expires_in", "expires",
        "refresh_token", "refresh_expires_in", "session_id",
    }  # fmt: skip
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 300
    assert body["refresh_expires_in"] == 14 * 24 * 3600
    assert isinstance(body["expires"], int)
    assert len(body["refresh_token"]) >= 43


def test_each_sign_in_starts_a_new_session(api: Api) -> None:
    username = api.sign_up()
    first, second = api.sign_in(username), api.sign_in(username)
    assert first.session_id != second.session_id
    assert first.refresh_token != second.refresh_token


@pytest.mark.parametrize("who", ["wrong-password", "unknown-user", "invalid-name"])
def test_bad_credentials_get_the_same_answer(api: Api, who: str) -> None:
    username = api.sign_up()
    credentials = {
        "wrong-password": {"username": username, "password": "not the password at all"},
        "unknown-user": {"username": "nobody-here", "password": PASSWORD},
        "invalid-name": {"username": "no spaces allowed", "password": PASSWORD},
    }[who]
    body = assert_error(api.post("/sign-in", credentials), 401, "invalid_credentials")
    assert body["error_description"] == "The username or password is wrong."


def test_throttling_answers_429_after_five_failures_even_to_the_right_password(
    start_server,
) -> None:
    api = Api(start_server().url)
    username = api.sign_up()
    wrong = {"username": username, "password": "wrong password here"}
    for _ in range(5):
        assert_error(api.post("/sign-in", wrong), 401, "invalid_credentials")
    throttled = api.post("/sign-in", wrong)
    assert_error(throttled, 429, "too_many_attempts")
    assert int(throttled.headers["Retry-After"]) >= 1
    still = api.post("/sign-in", {"username": username, "password": PASSWORD})
    assert_error(still, 429, "too_many_attempts")


def parallel_sign_ins(api: Api, body: dict[str, str], count: int) -> list[int]:
    def attempt(_: int) -> int:
        return requests.post(f"{api.base_url}/sign-in", json=body, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(attempt, range(count)))


def test_parallel_wrong_passwords_meet_the_throttle_too(start_server) -> None:
    api = Api(start_server().url)
    username = api.sign_up()
    statuses = parallel_sign_ins(api, {"username": username, "password": "wrong password"}, 12)
    assert sorted(set(statuses)) == [401, 429]
    assert statuses.count(401) <= 6, statuses


def test_parallel_right_passwords_all_sign_in(start_server) -> None:
    api = Api(start_server().url)
    username = api.sign_up()
    statuses = parallel_sign_ins(api, {"username": username, "password": PASSWORD}, 12)
    assert statuses == [200] * 12


def test_throttle_delay_doubles_and_success_resets_it(start_server) -> None:
    api = Api(start_server().url)
    username = api.sign_up()
    wrong = {"username": username, "password": "wrong password here"}
    for _ in range(5):
        api.post("/sign-in", wrong)
    first = api.post("/sign-in", wrong)
    assert_error(first, 429, "too_many_attempts")
    time.sleep(int(first.headers["Retry-After"]) + 0.1)
    assert_error(api.post("/sign-in", wrong), 401, "invalid_credentials")
    second = api.post("/sign-in", wrong)
    assert int(second.headers["Retry-After"]) >= 2
    time.sleep(int(second.headers["Retry-After"]) + 0.1)
    assert api.sign_in(username).access_token
    for _ in range(5):
        assert_error(api.post("/sign-in", wrong), 401, "invalid_credentials")


def test_throttling_of_one_name_leaves_other_names_alone(api: Api) -> None:
    victim, other = api.sign_up(), api.sign_up()
    for _ in range(6):
        api.post("/sign-in", {"username": victim, "password": "wrong password here"})
    assert api.sign_in(other).access_token
