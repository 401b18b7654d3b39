"""Belay's tools for the OpenAI and Anthropic Python SDKs: their tool definitions, and the execution of the tool calls
a model makes, answered as the messages to send back.

Neither SDK is imported: their messages are read by attribute (the SDKs' objects) or by key (plain dicts), and the
answers are plain dicts, which both SDKs accept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Tuple

from ._http import Http
from .errors import BelayError, ConnectionFailed, Forbidden, ServerError, Unauthorized
from .routes import ROUTES

if TYPE_CHECKING:
    from .workspace import Workspace

# The stateless version of MCP: one request lists the tools, without a session to open and close.
MCP_VERSION = "2026-07-28"


@dataclass(frozen=True)
class ToolSpec:
    """A tool as a model is given one: its name, the description it reads, the JSON Schema of its arguments."""

    name: str
    description: str
    input_schema: Dict[str, Any]

    def openai(self) -> Dict[str, Any]:
        """An entry of OpenAI's ``tools``: ``{"type": "function", "function": {name, description, parameters}}``."""
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": self.input_schema},
        }

    def anthropic(self) -> Dict[str, Any]:
        """An entry of Anthropic's ``tools``: ``{name, description, input_schema}``."""
        return {"name": self.name, "description": self.description, "input_schema": self.input_schema}


def list_tools(http: Http, token: str, workspace_id: str) -> List[ToolSpec]:
    """The workspace's tools as its MCP endpoint lists them: the catalog that workspace's guard serves."""
    specs: List[ToolSpec] = []
    cursor: Optional[str] = None
    while True:
        params: Dict[str, Any] = {
            "_meta": {
                "io.modelcontextprotocol/protocolVersion": MCP_VERSION,
                "io.modelcontextprotocol/clientCapabilities": {},
            }
        }
        if cursor:
            params["cursor"] = cursor
        answer = http.send(
            ROUTES["mcp"],
            token,
            {"id": workspace_id},
            {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": params},
            {
                "Accept": "application/json, text/event-stream",
                "MCP-Protocol-Version": MCP_VERSION,
                "Mcp-Method": "tools/list",
            },
        )
        if "error" in answer:
            raise BelayError(f"tools/list failed: {answer['error'].get('message')}", "", 200)
        result = answer["result"]
        for tool in result["tools"]:
            specs.append(ToolSpec(tool["name"], tool.get("description", ""), tool["inputSchema"]))
        cursor = result.get("nextCursor")
        if not cursor:
            return specs


def _field(obj: Any, name: str, default: Any = None) -> Any:
    """A field of an SDK object (attribute) or of a plain dict (key)."""
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _raises(e: BelayError) -> bool:
    """Whether an error is the harness's to handle (a wrong token, a broken server) rather than the model's to read
    (bad arguments, a missing file, a refused call), which goes back to the model as the tool's failed result."""
    wrong_token = isinstance(e, Unauthorized) or (isinstance(e, Forbidden) and e.error == "forbidden")
    return wrong_token or isinstance(e, (ServerError, ConnectionFailed))


class _Tools:
    def __init__(self, workspace: "Workspace") -> None:
        self._ws = workspace

    def _specs(self, only: Optional[Iterable[str]]) -> List[ToolSpec]:
        specs = self._ws.tool_specs()
        if only is None:
            return specs
        wanted = list(only)
        missing = set(wanted) - {s.name for s in specs}
        if missing:
            raise ValueError(f"no tools named {sorted(missing)} in workspace {self._ws.id}")
        return [s for s in specs if s.name in wanted]

    def _execute(self, name: str, arguments: Any) -> Tuple[str, bool]:
        """Runs one call: the text for the model, and whether it is an error."""
        if not isinstance(arguments, Mapping):
            return f"The arguments of {name} must be a JSON object.", True
        try:
            result = self._ws.call(name, arguments)
        except BelayError as e:
            if _raises(e):
                raise
            return (e.error + ("\n" + e.hint if e.hint else "")), True
        return result.text, result.is_error


class OpenAITools(_Tools):
    """For ``client.chat.completions.create(tools=ws.openai.tools(), …)`` and the ``tool_calls`` it answers with."""

    def tools(self, only: Optional[Iterable[str]] = None) -> List[Dict[str, Any]]:
        """The tool definitions (all, or those named in ``only``)."""
        return [s.openai() for s in self._specs(only)]

    def execute(self, message: Any) -> List[Dict[str, Any]]:
        """Runs the tool calls of an assistant message (or of a completion's first choice, or a list of tool calls)
        and returns one ``{"role": "tool", "tool_call_id", "content"}`` message per call, in order."""
        choices = _field(message, "choices")
        if choices:
            message = _field(choices[0], "message")
        calls = message if isinstance(message, list) else _field(message, "tool_calls") or []
        answers = []
        for call in calls:
            function = _field(call, "function")
            if _field(call, "type", "function") != "function" or function is None:
                content = "Only function tool calls are served by Belay."
            else:
                name = _field(function, "name")
                raw = _field(function, "arguments") or "{}"
                try:
                    arguments = json.loads(raw) if isinstance(raw, str) else raw
                except ValueError as e:
                    content = f"The arguments of {name} are not valid JSON ({e}); send a JSON object."
                else:
                    content, _ = self._execute(name, arguments)
            answers.append({"role": "tool", "tool_call_id": _field(call, "id"), "content": content})
        return answers


class AnthropicTools(_Tools):
    """For ``client.messages.create(tools=ws.anthropic.tools(), …)`` and the ``tool_use`` blocks it answers with."""

    def tools(self, only: Optional[Iterable[str]] = None) -> List[Dict[str, Any]]:
        """The tool definitions (all, or those named in ``only``)."""
        return [s.anthropic() for s in self._specs(only)]

    def execute(self, message: Any) -> List[Dict[str, Any]]:
        """Runs the ``tool_use`` blocks of an assistant message (or of a list of content blocks) and returns one
        ``{"type": "tool_result", "tool_use_id", "content"}`` block per call (``is_error`` when it failed), to send
        back as the content of the next user message."""
        blocks = message if isinstance(message, list) else _field(message, "content") or []
        results = []
        for block in blocks:
            if _field(block, "type") != "tool_use":
                continue
            content, is_error = self._execute(_field(block, "name"), _field(block, "input", {}))
            result: Dict[str, Any] = {"type": "tool_result", "tool_use_id": _field(block, "id"), "content": content}
            if is_error:
                result["is_error"] = True
            results.append(result)
        return results
