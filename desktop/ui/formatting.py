"""Times, durations and log lines in words a person reads at a glance."""

from __future__ import annotations

import time

from desktop.core.events import (
    SIGN_INS,
    BrowserStep,
    HttpExchange,
    SessionEnded,
    SessionEvent,
    TokensIssued,
)
from desktop.core.redact import shorten


def clock_time(timestamp: float, millis: bool = False) -> str:
    """'14:03:07' (or '14:03:07.123') in local time."""
    text = time.strftime("%H:%M:%S", time.localtime(timestamp))
    return f"{text}.{int(timestamp * 1000) % 1000:03d}" if millis else text


def duration(seconds: float) -> str:
    """'0.8 s', '42 s', '4 min 10 s', '3 h 5 min', '13 days'."""
    seconds = max(0.0, seconds)
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{hours // 24} days"


def log_line(record: SessionEvent) -> str | None:
    """One line of the event log for a record, or None for records the log leaves out."""
    if isinstance(record, HttpExchange):
        status = "—" if record.status is None else str(record.status)
        return (
            f"{clock_time(record.at, millis=True)}  {record.method:<6} {record.path:<20} "
            f"{status:>3} {record.latency_ms:>6.0f} ms  {record.detail}"
        ).rstrip()
    if isinstance(record, TokensIssued):
        if record.via in SIGN_INS:
            rotated = "new"
        else:
            rotated = "rotated" if record.refresh_token_changed else "unchanged"
        life = duration(record.access_expires_at - record.access_issued_at)
        return (
            f"{clock_time(record.at, millis=True)}  ◆ access token {shorten(record.access_token)} "
            f"via {record.via}, valid {life}; refresh token: {rotated}"
        )
    if isinstance(record, BrowserStep):
        if record.step == "opened":
            what = f"opened the sign-in page in the browser; listening on {record.redirect_uri}"
        else:
            what = f"the browser came back with code {shorten(record.code)}"
        return f"{clock_time(record.at, millis=True)}  ◇ {what}"
    if isinstance(record, SessionEnded):
        detail = f": {record.detail}" if record.detail else ""
        return f"{clock_time(record.at, millis=True)}  ■ session ended ({record.reason}){detail}"
    return None
