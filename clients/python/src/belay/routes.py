"""Every HTTP route this client calls, and the body fields and tool arguments it sends: one table, so that the drift
test can hold it against the server's OpenAPI document and nothing is sent that is not listed here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple


@dataclass(frozen=True)
class Route:
    """One route: its method, its path template (``{name}`` for a path parameter) and the JSON body fields it takes
    (None: a free-form body, a tool's arguments or an MCP message).

    ``in_openapi`` is False for a route that is not REST (the MCP endpoint, read for the tool definitions).
    """

    method: str
    path: str
    body: Optional[Tuple[str, ...]] = ()
    in_openapi: bool = True


ROUTES: Dict[str, Route] = {
    "create": Route(
        "POST",
        "/workspaces",
        ("name", "runtime", "labels", "ttl_seconds", "max_lifetime_seconds", "template", "git", "ref", "snapshot"),
    ),
    "list": Route("GET", "/workspaces"),
    "get": Route("GET", "/workspaces/{id}"),
    "delete": Route("DELETE", "/workspaces/{id}"),
    "fork": Route("POST", "/workspaces/{id}/fork", ("name", "labels", "ttl_seconds", "max_lifetime_seconds")),
    "snapshot": Route("POST", "/workspaces/{id}/snapshots", ("name",)),
    "snapshots": Route("GET", "/workspaces/{id}/snapshots"),
    "delete_snapshot": Route("DELETE", "/workspaces/{id}/snapshots/{snapshot_id}"),
    "restore": Route("POST", "/workspaces/{id}/restore", ("snapshot",)),
    "stop": Route("POST", "/workspaces/{id}/stop"),
    "resume": Route("POST", "/workspaces/{id}/resume"),
    "tool": Route("POST", "/w/{id}/api/{tool}", None),
    "mcp": Route("POST", "/w/{id}/mcp", None, in_openapi=False),
}

# The tools the typed methods call through the "tool" route, and the arguments each may send.
TOOLS: Dict[str, Tuple[str, ...]] = {
    "run_command": ("command", "cwd", "timeout_s", "env", "stdin"),
    "write_file": ("path", "content", "mode"),
    "download_file": ("path", "offset", "length"),
    "list_directory": ("path", "depth", "include_hidden"),
    "python": ("code", "session", "timeout_s"),
    "history": ("limit", "skip", "path"),
    "undo": ("commit",),
}
