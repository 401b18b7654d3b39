"""What the server answers, as dataclasses: a tool's results and the lifecycle API's snapshot view."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, List, Mapping, Optional


def parse_time(value: Optional[str]) -> Optional[datetime]:
    """An ISO-8601 instant as the server writes it (``2026-12-03T16:13:42.832582281Z``), time-zone aware.

    Python 3.9's ``fromisoformat`` takes neither ``Z`` nor nanoseconds, so both are rewritten first.
    """
    if value is None:
        return None
    text = value.replace("Z", "+00:00")
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)
    return datetime.fromisoformat(text)


@dataclass(frozen=True)
class ToolResult:
    """Any tool's answer through the REST door: its structured result, the text a model reads, and whether the tool
    reported an error it ran into (a non-zero exit, a Python exception)."""

    data: Dict[str, Any]
    text: str
    is_error: bool

    @classmethod
    def of(cls, answer: Mapping[str, Any]) -> "ToolResult":
        data = {k: v for k, v in answer.items() if k not in ("text", "is_error")}
        return cls(data, str(answer.get("text", "")), bool(answer.get("is_error", False)))


@dataclass(frozen=True)
class RunResult:
    """A command's end (or, with ``running``, where it was when it went on as job ``job_id``)."""

    exit_code: Optional[int]
    stdout: str
    stderr: str
    running: bool = False
    job_id: Optional[str] = None
    timed_out: bool = False
    duration_ms: int = 0
    commit: Optional[str] = None
    text: str = ""

    @property
    def ok(self) -> bool:
        """The command ended with exit code 0."""
        return self.exit_code == 0

    @classmethod
    def of(cls, result: ToolResult) -> "RunResult":
        d = result.data
        return cls(
            exit_code=d.get("exit_code"),
            stdout=d.get("stdout", ""),
            stderr=d.get("stderr", ""),
            running=bool(d.get("running", False)),
            job_id=d.get("job_id"),
            timed_out=bool(d.get("timed_out", False)),
            duration_ms=int(d.get("duration_ms", 0)),
            commit=d.get("commit"),
            text=result.text,
        )


@dataclass(frozen=True)
class PythonError:
    """The exception a Python cell raised."""

    type: str
    message: str
    traceback: str = ""


@dataclass(frozen=True)
class PythonResult:
    """A Python cell's outcome: ``value`` is the last expression's repr (``"2"`` for ``1 + 1``), if any."""

    value: Optional[str]
    stdout: str
    stderr: str
    error: Optional[PythonError] = None
    session: str = "default"
    commit: Optional[str] = None
    text: str = ""

    @classmethod
    def of(cls, result: ToolResult) -> "PythonResult":
        d = result.data
        error = d.get("error")
        return cls(
            value=d.get("value"),
            stdout=d.get("stdout", ""),
            stderr=d.get("stderr", ""),
            error=None
            if not isinstance(error, dict)
            else PythonError(
                str(error.get("type", "")), str(error.get("message", "")), str(error.get("traceback", ""))
            ),
            session=d.get("session", "default"),
            commit=d.get("commit"),
            text=result.text,
        )


@dataclass(frozen=True)
class FileEntry:
    """An entry of a directory listing; ``path`` is relative to the workspace root."""

    path: str
    type: str
    size: Optional[int] = None

    @classmethod
    def of(cls, entry: Mapping[str, Any]) -> "FileEntry":
        return cls(entry["path"], entry["type"], entry.get("size"))


@dataclass(frozen=True)
class WriteResult:
    """A file written, and the journal commit that recorded it."""

    path: str
    bytes_written: int
    created: bool
    sha256: str
    commit: Optional[str] = None

    @classmethod
    def of(cls, result: ToolResult) -> "WriteResult":
        d = result.data
        return cls(d["path"], int(d["bytes_written"]), bool(d["created"]), d["sha256"], d.get("commit"))


@dataclass(frozen=True)
class Commit:
    """A commit of the workspace's journal: what a tool changed, and which files."""

    id: str
    short_id: str
    summary: str
    time: Optional[datetime]
    files: List[str] = field(default_factory=list)
    tool: Optional[str] = None
    author: Optional[str] = None
    session: Optional[str] = None
    turn: Optional[str] = None

    @classmethod
    def of(cls, c: Mapping[str, Any]) -> "Commit":
        return cls(
            id=c["id"],
            short_id=c["short_id"],
            summary=c["summary"],
            time=parse_time(c.get("time")),
            files=list(c.get("files", [])),
            tool=c.get("tool"),
            author=c.get("author"),
            session=c.get("session"),
            turn=c.get("turn"),
        )


@dataclass(frozen=True)
class Snapshot:
    """A named, restorable copy of a workspace's files and journal."""

    id: str
    name: Optional[str]
    workspace: str
    created: Optional[datetime]
    disk_bytes: Optional[int] = None

    @classmethod
    def of(cls, s: Mapping[str, Any]) -> "Snapshot":
        return cls(s["id"], s.get("name"), s["workspace"], parse_time(s.get("created")), s.get("disk_bytes"))
