"""A workspace: its record as the lifecycle API shows it, and the handle to use it (tools, fork, snapshots…)."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Union

from .errors import ToolFailed
from .results import (
    Commit,
    FileEntry,
    PythonResult,
    RunResult,
    Snapshot,
    ToolResult,
    WriteResult,
    parse_time,
)
from .routes import ROUTES, TOOLS

if TYPE_CHECKING:  # only for the annotations: the client imports this module
    from ._http import Http
    from .llm import AnthropicTools, OpenAITools, ToolSpec

# download_file's bytes come back base64-encoded in a JSON answer the server keeps under 100,000 characters, so a
# file is read in pieces whose encoding fits with room to spare.
_READ_CHUNK = 48 * 1024


@dataclass
class Workspace:
    """A workspace of a ``belay serve --workspaces`` server.

    ``token`` is the workspace's own token, given only in the answer that created (or forked) it; a workspace listed or
    got later has None there and is used with the client's token (the admin token opens every workspace's doors).
    """

    id: str
    name: Optional[str] = None
    token: Optional[str] = field(default=None, repr=False)
    runtime: Optional[str] = None
    origin: Optional[str] = None
    labels: Dict[str, str] = field(default_factory=dict)
    state: Optional[str] = None
    ttl_seconds: Optional[int] = None
    max_lifetime_seconds: Optional[int] = None
    created: Optional[datetime] = None
    last_used: Optional[datetime] = None
    expires: Optional[datetime] = None
    disk_bytes: Optional[int] = None
    disk_limit_bytes: Optional[int] = None
    mcp: Optional[str] = None
    api: Optional[str] = None
    web: Optional[str] = None
    _http: Optional["Http"] = field(default=None, repr=False, compare=False)
    _admin_token: str = field(default="", repr=False, compare=False)
    _specs: Optional[List["ToolSpec"]] = field(default=None, repr=False, compare=False)

    @classmethod
    def _of(cls, http: "Http", admin_token: str, view: Mapping[str, Any], token: Optional[str] = None) -> "Workspace":
        ws = cls(id=view["id"], _http=http, _admin_token=admin_token)
        ws._update(view)
        if token is not None:
            ws.token = token
        return ws

    def _update(self, view: Mapping[str, Any]) -> None:
        """Takes the fields of a workspace view; fields the server adds later are ignored, not refused."""
        names = {f.name for f in fields(self) if not f.name.startswith("_")}
        for key, value in view.items():
            if key in names:
                if key in ("created", "last_used", "expires"):
                    value = parse_time(value)
                setattr(self, key, value)

    # -- the lifecycle (admin token) --------------------------------------------------------------------------------

    def _send(self, route: str, body: Optional[Mapping[str, Any]] = None, **params: str) -> Any:
        assert self._http is not None, "a Workspace is made by Belay.workspaces, not by hand"
        return self._http.send(ROUTES[route], self._admin_token, {"id": self.id, **params}, body)

    def refresh(self) -> "Workspace":
        """Reads the workspace's record again (state, last use, disk use…)."""
        self._update(self._send("get"))
        return self

    def fork(
        self,
        name: Optional[str] = None,
        labels: Optional[Mapping[str, str]] = None,
        ttl: Optional[int] = None,
        max_lifetime: Optional[int] = None,
    ) -> "Workspace":
        """A new workspace with a copy of this one's files and journal, and a token of its own."""
        body = {"name": name, "labels": labels, "ttl_seconds": ttl, "max_lifetime_seconds": max_lifetime}
        answer = self._send("fork", body)
        assert self._http is not None
        return Workspace._of(self._http, self._admin_token, answer, answer.get("token"))

    def snapshot(self, name: Optional[str] = None) -> Snapshot:
        """A named copy of the files and journal as they are now, to restore or to create a workspace from."""
        return Snapshot.of(self._send("snapshot", {"name": name}))

    def snapshots(self) -> List[Snapshot]:
        """This workspace's snapshots, oldest first."""
        return [Snapshot.of(s) for s in self._send("snapshots")["snapshots"]]

    def delete_snapshot(self, snapshot: Union[Snapshot, str]) -> None:
        self._send("delete_snapshot", snapshot_id=_snapshot_id(snapshot))

    def restore(self, snapshot: Union[Snapshot, str]) -> "Workspace":
        """Puts the files and journal back as they were in the snapshot; this handle stays valid."""
        self._update(self._send("restore", {"snapshot": _snapshot_id(snapshot)}))
        return self

    def stop(self) -> "Workspace":
        """Stops the workspace (its container, its engine); its files stay. Calls through its doors then get 409."""
        self._update(self._send("stop"))
        return self

    def resume(self) -> "Workspace":
        self._update(self._send("resume"))
        return self

    def delete(self) -> None:
        """Ends its commands and removes its files, journal and record; its token stops working."""
        self._send("delete")

    # -- tools, through POST /w/{id}/api/{tool} ---------------------------------------------------------------------

    def call(self, tool: str, arguments: Optional[Mapping[str, Any]] = None) -> ToolResult:
        """Calls any tool of the catalog (``belay tools`` lists them) with its arguments, as a model would."""
        assert self._http is not None, "a Workspace is made by Belay.workspaces, not by hand"
        body = dict(arguments or {})
        # a call that may run longer than the client's timeout (a command's own timeout_s) is waited for that long
        limit = body.get("timeout_s")
        wait = max(self._http.timeout, limit + 60) if isinstance(limit, (int, float)) else None
        answer = self._http.send(
            ROUTES["tool"], self.token or self._admin_token, {"id": self.id, "tool": tool}, body, timeout=wait
        )
        return ToolResult.of(answer)

    def _tool(self, tool: str, raise_on_error: bool = True, **arguments: Any) -> ToolResult:
        unknown = set(arguments) - set(TOOLS[tool])
        if unknown:
            raise TypeError(f"{tool} is not listed in routes.TOOLS with {sorted(unknown)}")
        result = self.call(tool, {k: v for k, v in arguments.items() if v is not None})
        if raise_on_error and result.is_error:
            raise ToolFailed(result.text, "", 200)
        return result

    def run(
        self,
        command: str,
        cwd: Optional[str] = None,
        timeout: Optional[float] = None,
        env: Optional[Mapping[str, str]] = None,
        stdin: Optional[str] = None,
    ) -> RunResult:
        """Runs a shell command (``bash -c``) and returns its exit code and output; a non-zero exit is no error."""
        result = self._tool("run_command", False, command=command, cwd=cwd, timeout_s=timeout, env=env, stdin=stdin)
        return RunResult.of(result)

    def python(self, code: str, session: Optional[str] = None, timeout: Optional[float] = None) -> PythonResult:
        """Runs code in the workspace's stateful Python session; an exception is in the result's ``error``."""
        return PythonResult.of(self._tool("python", False, code=code, session=session, timeout_s=timeout))

    def history(
        self, limit: Optional[int] = None, path: Optional[str] = None, skip: Optional[int] = None
    ) -> List[Commit]:
        """The journal's commits, newest first."""
        data = self._tool("history", limit=limit, path=path, skip=skip).data
        return [Commit.of(c) for c in data.get("commits", [])]

    def undo(self, commit: Union[Commit, str, None] = None) -> Commit:
        """Reverts a commit (the last one by default) as a new commit, which is returned."""
        target = commit.id if isinstance(commit, Commit) else commit
        return Commit.of(self._tool("undo", commit=target).data["commit"])

    @property
    def files(self) -> "Files":
        return Files(self)

    # -- tool definitions for models --------------------------------------------------------------------------------

    def tool_specs(self) -> List["ToolSpec"]:
        """The workspace's tools as its MCP endpoint lists them (read once, then kept)."""
        if self._specs is None:
            from .llm import list_tools

            assert self._http is not None
            self._specs = list_tools(self._http, self.token or self._admin_token, self.id)
        return list(self._specs)

    @property
    def openai(self) -> "OpenAITools":
        """Tool definitions for OpenAI's chat completions, and the execution of their tool calls."""
        from .llm import OpenAITools

        return OpenAITools(self)

    @property
    def anthropic(self) -> "AnthropicTools":
        """Tool definitions for Anthropic's messages API, and the execution of its ``tool_use`` blocks."""
        from .llm import AnthropicTools

        return AnthropicTools(self)


class Files:
    """A workspace's files, through its tools (so every write is guarded and journaled)."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    def write(self, path: str, content: str, mode: Optional[str] = None) -> WriteResult:
        """Writes text to a file (``mode``: overwrite, the default; append; create, which refuses an existing file)."""
        return WriteResult.of(self._ws._tool("write_file", path=path, content=content, mode=mode))

    def read_bytes(self, path: str) -> bytes:
        """A file's exact bytes, whatever its kind."""
        chunks: List[bytes] = []
        offset = 0
        while True:
            data = self._ws._tool("download_file", path=path, offset=offset, length=_READ_CHUNK).data
            chunk = base64.b64decode(data["content_base64"])
            chunks.append(chunk)
            offset += len(chunk)
            if not chunk or offset >= int(data["size"]):
                return b"".join(chunks)

    def read(self, path: str, encoding: str = "utf-8") -> str:
        """A text file's content, exactly (read_file, meant for models, numbers its lines; this does not)."""
        return self.read_bytes(path).decode(encoding)

    def list(self, path: str = ".", depth: int = 1, include_hidden: bool = False) -> List[FileEntry]:
        """The entries under a directory, ``depth`` levels down; paths are relative to the workspace root."""
        data = self._ws._tool("list_directory", path=path, depth=depth, include_hidden=include_hidden or None).data
        return [FileEntry.of(e) for e in data.get("entries", [])]


def _snapshot_id(snapshot: Union[Snapshot, str]) -> str:
    return snapshot.id if isinstance(snapshot, Snapshot) else snapshot
