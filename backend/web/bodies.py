"""Reading request bodies safely: a size cap, the right content type, JSON objects or forms."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from backend.errors import InvalidRequest

JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"


def media_type(request: Request) -> str:
    """The content type without parameters, lower case."""
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def read_body(request: Request) -> bytes:
    """The body; BodyLimitMiddleware has already refused one over the limit with 413."""
    return await request.body()


def decode_utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidRequest("The request body is not valid UTF-8.") from error


def unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose member names are unique (RFC 7493 §2.3); a repeated name is refused."""
    members = dict(pairs)
    if len(members) != len(pairs):
        raise InvalidRequest("A member name is repeated in the JSON body.")
    return members


DECODER = json.JSONDecoder(object_pairs_hook=unique_members)


def check_unicode(text: str, value: Any) -> None:
    """Refuse text that is not Unicode: an unpaired surrogate escape such as \\ud800.

    Only a `\\u` escape can make one (the UTF-8 decoder refuses encoded surrogates), so a
    body without a backslash-u is not searched.
    """
    if "\\u" not in text:
        return
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as error:
        raise InvalidRequest("The JSON body has an unpaired surrogate escape.") from error


async def json_object(request: Request) -> dict[str, Any]:
    """A JSON object body (I-JSON, RFC 7493); anything else is 400 invalid_request in words."""
    body = await read_body(request)
    if media_type(request) != JSON_TYPE:
        raise InvalidRequest("Send the body as JSON with Content-Type: application/json.")
    text = decode_utf8(body)
    try:
        value = DECODER.decode(text)
    except RecursionError as error:
        raise InvalidRequest("The JSON body is nested too deeply.") from error
    except json.JSONDecodeError as error:
        raise InvalidRequest(f"The body is not valid JSON: {error.msg}.") from error
    except ValueError as error:
        raise InvalidRequest("The JSON body has a number too long to read.") from error
    if not isinstance(value, dict):
        raise InvalidRequest("The JSON body must be an object.")
    check_unicode(text, value)
    return value


async def form_fields(request: Request) -> dict[str, str]:
    """An application/x-www-form-urlencoded body (RFC 6749 §4.1.3); repeated fields are refused."""
    body = await read_body(request)
    if media_type(request) != FORM_TYPE:
        raise InvalidRequest(f"Send the body as {FORM_TYPE}.")
    text = decode_utf8(body)
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False, errors="strict")
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidRequest("The form body is malformed.") from error
    fields: dict[str, str] = {}
    for name, value in pairs:
        if name in fields:
            raise InvalidRequest(f"The parameter {name!r} is repeated.")
        fields[name] = value
    return fields


def string_field(fields: dict[str, Any], name: str, max_length: int = 4096) -> str:
    """A required, non-empty string field of reasonable length."""
    value = fields.get(name)
    if value is None or value == "":
        raise InvalidRequest(f"The field {name!r} is required.")
    if not isinstance(value, str):
        raise InvalidRequest(f"The field {name!r} must be a string.")
    if len(value) > max_length:
        raise InvalidRequest(f"The field {name!r} is longer than {max_length} characters.")
    return value
