"""Schemathesis against /openapi.json of a real server: no 5xx, every answer as documented."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from backend.web.openapi import openapi_document
from tests.security.figures import FIGURES
from tests.support.api import PASSWORD, Api, unique_name
from tests.support.raw import send

pytestmark = pytest.mark.slow
SUITE = "schemathesis cases on every documented operation (no 5xx, every answer as documented)"
EXAMPLES_PER_OPERATION = 100
BEARER_OPERATIONS = {"/account", "/sessions", "/sessions/{session_id}", "/tokens/revoke-all"}
RENEWAL_SOURCE = "127.0.0.2"
# The fuzzed revoke-all ends the Bearer's session again and again, and each renewal signs in.
SERVER_OPTIONS = ("--sign-ins-per-minute", "1000")
# A body over the size limit is refused with its documented 413 before it is read, which
# schemathesis does not count among the rejections of invalid data unless told.
REJECTIONS = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429, "5XX"]
CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {"enabled": False},
            "negative_data_rejection": {"expected-statuses": REJECTIONS},
        }
    }
)


class Bearer:
    """A live access token for the Bearer operations, renewed when a fuzzed call ended it.

    Renewals sign in from their own loopback address: the fuzzed sign-ins fail from
    127.0.0.1, and the throttle would soon make that address wait.
    """

    def __init__(self, api: Api) -> None:
        self.api = api
        self.username = api.sign_up(unique_name("fuzz"))
        self.token = ""
        self._lock = threading.Lock()

    def headers(self) -> dict[str, str]:
        with self._lock:
            if not self.token or self.api.call("GET", "/account", self.token).status_code != 200:
                self.token = self._sign_in()
            return {"Authorization": f"Bearer {self.token}"}

    def _sign_in(self) -> str:
        body = json.dumps({"username": self.username, "password": PASSWORD}).encode()
        headers = {"Content-Type": "application/json"}
        response = send(self.api.base_url, "POST", "/sign-in", body, headers, RENEWAL_SOURCE)
        assert response.status_code == 200, response.text
        return response.json()["access_token"]


@pytest.fixture(scope="module")
def bearer(api: Api) -> Bearer:
    return Bearer(api)


# Built from the code so that pytest collects one test per operation; the next test checks
# that the server serves this very document.
schema = schemathesis.openapi.from_dict(openapi_document(""), config=CONFIG)


def test_the_fuzzed_document_is_the_served_one(api: Api) -> None:
    served = api.http.get(api.base_url + "/openapi.json").json()
    assert served == openapi_document(api.base_url)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_answer_conforms_to_the_document(case: Any, api: Api, bearer: Bearer) -> None:
    """A schema-valid body may rightly be refused (an unknown refresh token is 400 invalid_grant
    by RFC 6749 §5.2, a weak password is 400), so the positive-data-acceptance check is off."""
    headers = bearer.headers() if case.operation.path in BEARER_OPERATIONS else None
    response = case.call_and_validate(base_url=api.base_url, headers=headers)
    assert response.status_code < 500
    FIGURES.tally(SUITE)
