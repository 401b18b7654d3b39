"""Typed errors: each carries the server's ``error`` and ``hint`` and the HTTP status that said what kind it is."""

from __future__ import annotations

from typing import Dict, Optional, Type


class BelayError(Exception):
    """A request Belay refused or could not answer.

    ``error`` and ``hint`` are the server's own words (its one error shape, ``{"error", "hint"}``); ``status`` is the
    HTTP status code, or None when no answer came (see :class:`ConnectionFailed`).
    """

    def __init__(self, error: str, hint: str = "", status: Optional[int] = None) -> None:
        super().__init__(error if not hint else f"{error} ({hint})")
        self.error = error
        self.hint = hint
        self.status = status


class BadRequest(BelayError):
    """400: the request or a tool's arguments are wrong (an unknown field, a TTL out of range, a missing ref…)."""


class Unauthorized(BelayError):
    """401: the token is no token of this server (or of a workspace since deleted)."""


class Forbidden(BelayError):
    """403: the token may not do this, e.g. a workspace's token on another workspace or on the lifecycle API."""


class NotFound(BelayError):
    """404: no such workspace, snapshot, tool, file or commit."""


class Conflict(BelayError):
    """409: the workspace is busy (a fork waited in vain) or stopped, or a tool's change conflicts."""


class TooLarge(BelayError):
    """413: the request body is over the server's limit."""


class ToolFailed(BelayError):
    """A tool ran and failed (422, or a result marked ``is_error``): its message is the text the tool answered."""


class LimitReached(BelayError):
    """429: the server (or the token) holds as many workspaces as it may."""


class ServerError(BelayError):
    """5xx: Belay failed internally; the server's log says more."""


class TimedOut(BelayError):
    """504: the tool ran out of time."""


class ConnectionFailed(BelayError):
    """No HTTP answer: the server is not reachable at the URL, or the connection broke."""


_BY_STATUS: Dict[int, Type[BelayError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: TooLarge,
    422: ToolFailed,
    429: LimitReached,
    504: TimedOut,
}


def error_for(status: int, error: str, hint: str) -> BelayError:
    """The typed error of an HTTP status: 5xx other than 504 is a :class:`ServerError`."""
    kind = _BY_STATUS.get(status)
    if kind is None:
        kind = ServerError if status >= 500 else BelayError
    return kind(error, hint, status)
