"""The server's command line and JWT_REFRESH_* variables: every value is checked."""

from __future__ import annotations

import pytest

from backend import key_commands
from backend.settings import parse_settings


def test_environment_fills_what_the_command_line_leaves_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JWT_REFRESH_SQLITE_SYNCHRONOUS", "normal")
    monkeypatch.setenv("JWT_REFRESH_ACCESS_LOG", "off")
    monkeypatch.setenv("JWT_REFRESH_ACCESS_TTL", "42")
    settings = parse_settings([])
    assert (settings.sqlite_synchronous, settings.access_log, settings.access_ttl) == (
        "NORMAL",
        False,
        42,
    )
    assert parse_settings(["--access-log", "on"]).access_log is True


def test_commits_survive_a_power_cut_unless_told_otherwise() -> None:
    assert parse_settings([]).sqlite_synchronous == "FULL"
    assert parse_settings(["--sqlite-synchronous", "normal"]).sqlite_synchronous == "NORMAL"


@pytest.mark.parametrize(
    ("variable", "value", "option"),
    [
        ("JWT_REFRESH_SQLITE_SYNCHRONOUS", "off", "--sqlite-synchronous"),
        ("JWT_REFRESH_ACCESS_LOG", "yes", "--access-log"),
        ("JWT_REFRESH_ACCESS_TTL", "0", "--access-ttl"),
    ],
)
def test_a_bad_value_from_the_environment_is_refused_in_words(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
    option: str,
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SystemExit) as exit_info:
        parse_settings([])
    assert exit_info.value.code == 2
    assert option in capsys.readouterr().err


@pytest.mark.parametrize("kid", ["-AbC", "-hXyZ", "--dataXyZ", "plain"])
@pytest.mark.parametrize("where", ["first", "last", "between"])
def test_keys_retire_takes_a_kid_that_begins_like_an_option(kid: str, where: str) -> None:
    """A kid is base64url: '-' is one of its letters, so about one key in 64 begins with it."""
    options = ["--data-dir", "dir", "--database=postgresql://db/auth"]
    placed = {
        "first": [kid, *options],
        "last": [*options, kid],
        "between": [*options[:2], kid, *options[2:]],
    }[where]
    args = key_commands.build_parser().parse_args(
        key_commands.kid_after_dashes(["retire", *placed])
    )
    assert (args.kid, str(args.data_dir), args.database) == (kid, "dir", "postgresql://db/auth")
