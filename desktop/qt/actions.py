"""What the app runs off the UI thread, one kind at a time, and what a failure of each says."""

from __future__ import annotations

from enum import Enum, auto


class Action(Enum):
    """A kind of work on a worker thread; while one runs, another of its kind is not started."""

    START_SERVER = auto()
    OPEN_STORE = auto()
    REMEMBER_STORE = auto()
    RESTORE = auto()
    SIGN_IN = auto()
    BROWSER_SIGN_IN = auto()
    CALL_API = auto()
    LOAD_SESSIONS = auto()
    END_SESSION = auto()
    REFRESH = auto()
    REVOKE = auto()
    SIGN_OUT = auto()
    SIGN_OUT_EVERYWHERE = auto()


# The ways of ending this app's session: while one runs, none of them can start.
ENDINGS = frozenset({Action.REVOKE, Action.SIGN_OUT, Action.SIGN_OUT_EVERYWHERE})

# Actions a person asked for: a failure is said even while offline, after these words.
SAID_ON_FAILURE = {
    Action.SIGN_IN: "",
    Action.BROWSER_SIGN_IN: "",
    Action.CALL_API: "Could not call the API:",
    Action.SIGN_OUT_EVERYWHERE: "Could not sign out everywhere:",
    Action.END_SESSION: "Could not end that session:",
}
