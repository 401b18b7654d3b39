"""A scripted stand-in for OpenAI's chat completions and Anthropic's messages APIs (no real model is reachable from
the tests), speaking their wire formats and refusing, with a 400 as they do, a conversation whose tool calls are not
each answered by a tool message (OpenAI) or a ``tool_result`` block (Anthropic) of the same id, or tools that are not
in their shape."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional

NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


class FakeLlm:
    def __init__(self) -> None:
        self.script: List[Dict[str, Any]] = []  # the next answers' messages, in order
        self.requests: List[Dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the http.server API)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(body)
                if self.path == "/v1/chat/completions":
                    problem = fake.openai_problem(body)
                elif self.path == "/v1/messages":
                    problem = fake.anthropic_problem(body)
                else:
                    problem = "no such route"
                if problem is not None:
                    self.answer(400, {"error": {"message": problem, "type": "invalid_request_error"}})
                elif self.path == "/v1/chat/completions":
                    self.answer(200, fake.openai_answer(body))
                else:
                    self.answer(200, fake.anthropic_answer(body))

            def answer(self, status: int, body: Dict[str, Any]) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- OpenAI ------------------------------------------------------------------------------------------------------

    @staticmethod
    def openai_problem(body: Dict[str, Any]) -> Optional[str]:
        for tool in body.get("tools", []):
            f = tool.get("function", {})
            if tool.get("type") != "function" or not NAME.match(f.get("name", "")):
                return f"Invalid tool: {tool!r:.200}"
            if not isinstance(f.get("description"), str) or f.get("parameters", {}).get("type") != "object":
                return f"Invalid schema for function '{f.get('name')}'"
        messages = body["messages"]
        for i, m in enumerate(messages):
            if m["role"] == "assistant" and m.get("tool_calls"):
                ids = [c["id"] for c in m["tool_calls"]]
                answers = [t for t in messages[i + 1 : i + 1 + len(ids)] if t["role"] == "tool"]
                if [t.get("tool_call_id") for t in answers] != ids or not all(
                    isinstance(t.get("content"), str) for t in answers
                ):
                    return (
                        "An assistant message with 'tool_calls' must be followed by tool messages responding to "
                        "each 'tool_call_id'."
                    )
        return None

    def openai_answer(self, body: Dict[str, Any]) -> Dict[str, Any]:
        message = self.script.pop(0)
        return {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": 1764777600,
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": None, "refusal": None, **message},
                    "logprobs": None,
                    "finish_reason": "tool_calls" if message.get("tool_calls") else "stop",
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
        }

    # -- Anthropic ---------------------------------------------------------------------------------------------------

    @staticmethod
    def anthropic_problem(body: Dict[str, Any]) -> Optional[str]:
        for tool in body.get("tools", []):
            if not NAME.match(tool.get("name", "")) or tool.get("input_schema", {}).get("type") != "object":
                return f"tools: invalid tool {tool.get('name')!r}"
        messages = body["messages"]
        for i, m in enumerate(messages):
            uses = [b["id"] for b in m["content"] if isinstance(m["content"], list) and b["type"] == "tool_use"]
            if m["role"] == "assistant" and uses:
                following = messages[i + 1]["content"] if i + 1 < len(messages) else []
                results = [b.get("tool_use_id") for b in following if b.get("type") == "tool_result"]
                if results != uses:
                    return f"messages.{i + 1}: `tool_use` ids were found without `tool_result` blocks immediately after"
        return None

    def anthropic_answer(self, body: Dict[str, Any]) -> Dict[str, Any]:
        content = self.script.pop(0)["content"]
        return {
            "id": f"msg_{len(self.requests)}",
            "type": "message",
            "role": "assistant",
            "model": body["model"],
            "content": content,
            "stop_reason": "tool_use" if any(b["type"] == "tool_use" for b in content) else "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": 10, "output_tokens": 5},
        }
