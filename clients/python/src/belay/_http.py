"""The one place that speaks HTTP: urllib.request, JSON bodies, Belay's error shape read into typed errors."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, Mapping, Optional

from .errors import BelayError, ConnectionFailed, error_for
from .routes import Route

USER_AGENT = "belay-client/0.1.0 (Python)"


class Http:
    """Sends requests to one server; every method takes the token to send, since workspaces have their own."""

    def __init__(self, url: str, timeout: float) -> None:
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"Belay's URL must be http(s)://HOST[:PORT], not {url!r}")
        self.base = url.rstrip("/")
        self.timeout = timeout

    def send(
        self,
        route: Route,
        token: str,
        params: Mapping[str, str],
        body: Optional[Mapping[str, Any]] = None,
        headers: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
    ) -> Any:
        """The answer's JSON (None for an empty answer), or the typed error of a refusal; ``timeout`` (seconds)
        replaces the client's for this request."""
        if body is not None and route.body is not None:
            unknown = set(body) - set(route.body)
            if unknown:
                raise ValueError(f"{route.method} {route.path} takes no {sorted(unknown)}")
        path = route.path.format(**{k: urllib.parse.quote(v, safe="") for k, v in params.items()})
        request = urllib.request.Request(self.base + path, method=route.method)
        request.add_header("Authorization", f"Bearer {token}")
        request.add_header("User-Agent", USER_AGENT)
        request.add_header("Accept", "application/json")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        data = None
        if body is not None or route.method == "POST":
            data = json.dumps({k: v for k, v in (body or {}).items() if v is not None}).encode("utf-8")
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, data=data, timeout=timeout or self.timeout) as response:
                raw = response.read()
                content_type = response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            raise _refusal(e.code, e.read()) from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            if isinstance(reason, (TimeoutError, socket.timeout)):  # one class from Python 3.10 on, two before
                raise ConnectionFailed(
                    f"No answer from {self.base} within {timeout or self.timeout:g} s.",
                    "Give Belay(…, timeout=SECONDS) more time, or the call a shorter timeout of its own.",
                ) from e
            raise ConnectionFailed(
                f"No answer from {self.base}: {reason}", "Is `belay serve --workspaces` running at that URL?"
            ) from e
        if not raw:
            return None
        if content_type.startswith("text/event-stream"):
            return _last_event(raw)
        return _json(raw)


def _refusal(status: int, raw: bytes) -> BelayError:
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return error_for(status, body["error"], str(body.get("hint") or ""))
    if isinstance(body, dict) and isinstance(body.get("title"), str):  # the web framework's own answer: no route
        return error_for(status, body["title"], "")
    text = raw.decode("utf-8", "replace").strip()[:500]
    return error_for(status, text or f"HTTP {status}", "")


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise BelayError(f"The server's answer is not JSON: {raw[:200]!r}", "Is the URL a Belay server?") from e


def _last_event(raw: bytes) -> Dict[str, Any]:
    """The last ``data:`` message of a server-sent event stream (an MCP answer may come as one)."""
    message: Any = None
    for line in raw.decode("utf-8").splitlines():
        if line.startswith("data:") and line[5:].strip():
            message = json.loads(line[5:].strip())
    if not isinstance(message, dict):
        raise BelayError("The server's event stream held no JSON message.", "")
    return message
