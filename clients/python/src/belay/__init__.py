"""Belay's Python client: workspaces on a ``belay serve --workspaces`` server, their tools, and those tools handed to
OpenAI and Anthropic models. Standard library only."""

from .client import Belay, Workspaces
from .errors import (
    BadRequest,
    BelayError,
    Conflict,
    ConnectionFailed,
    Forbidden,
    LimitReached,
    NotFound,
    ServerError,
    TimedOut,
    TooLarge,
    ToolFailed,
    Unauthorized,
)
from .llm import AnthropicTools, OpenAITools, ToolSpec
from .results import Commit, FileEntry, PythonError, PythonResult, RunResult, Snapshot, ToolResult, WriteResult
from .workspace import Files, Workspace

__version__ = "0.1.0"

__all__ = [
    "AnthropicTools",
    "BadRequest",
    "Belay",
    "BelayError",
    "Commit",
    "Conflict",
    "ConnectionFailed",
    "FileEntry",
    "Files",
    "Forbidden",
    "LimitReached",
    "NotFound",
    "OpenAITools",
    "PythonError",
    "PythonResult",
    "RunResult",
    "ServerError",
    "Snapshot",
    "TimedOut",
    "ToolFailed",
    "ToolResult",
    "ToolSpec",
    "TooLarge",
    "Unauthorized",
    "Workspace",
    "Workspaces",
    "WriteResult",
]
