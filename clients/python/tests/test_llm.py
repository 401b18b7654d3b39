"""Belay's tools handed to OpenAI and Anthropic models: the definitions in each API's shape (the same as
``belay tools --format openai|anthropic`` prints), tool calls executed from the SDKs' objects or plain dicts, and a
whole tool loop against a stand-in server speaking each API's wire format."""

from __future__ import annotations

import json
import os
import subprocess
import unittest
import urllib.error
import urllib.request
from types import SimpleNamespace as Obj
from typing import Any, Dict, List

from fake_llm import FakeLlm
from support import delete_quietly, launcher, server

from belay import Belay, Unauthorized


def belay_tools(format: str) -> List[Dict[str, Any]]:
    """What ``belay tools --format FORMAT`` prints: Belay's own export of its catalog."""
    root = server().root
    env = dict(os.environ, BELAY_CONFIG_DIR=str(root / "home/config"), BELAY_DATA_DIR=str(root / "home/data"))
    out = subprocess.run(
        [str(launcher()), "tools", "--format", format],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=root,
    )
    return json.loads(out.stdout)


def post(url: str, body: Dict[str, Any], headers: Dict[str, str]) -> Dict[str, Any]:
    """A request as the OpenAI and Anthropic SDKs send it."""
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json", **headers})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def openai_call(id: str, name: str, arguments: Any) -> Dict[str, Any]:
    raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return {"id": id, "type": "function", "function": {"name": name, "arguments": raw}}


class ToolDefinitionsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.b = server().client()
        cls.ws = cls.b.workspaces.create(name="llm")

    @classmethod
    def tearDownClass(cls) -> None:
        delete_quietly(cls.b, cls.ws.id)

    def test_definitions_are_belays_own_export_in_each_apis_shape(self) -> None:
        openai = self.ws.openai.tools()
        by_name = {t["function"]["name"]: t for t in belay_tools("openai")}
        self.assertEqual({t["function"]["name"]: t for t in openai}, by_name)
        anthropic = self.ws.anthropic.tools()
        self.assertEqual({t["name"]: t for t in anthropic}, {t["name"]: t for t in belay_tools("anthropic")})
        names = [t["function"]["name"] for t in openai]
        self.assertIn("run_command", names)
        self.assertEqual(names, [t["name"] for t in anthropic])
        for tool in openai:
            self.assertEqual(set(tool), {"type", "function"})
            self.assertEqual(set(tool["function"]), {"name", "description", "parameters"})
            self.assertEqual(tool["function"]["parameters"]["type"], "object")

    def test_only_the_tools_asked_for(self) -> None:
        self.assertEqual(
            [t["function"]["name"] for t in self.ws.openai.tools(only=["read_file", "run_command"])],
            sorted(["read_file", "run_command"]),
        )
        self.assertEqual([t["name"] for t in self.ws.anthropic.tools(only=["python"])], ["python"])
        with self.assertRaises(ValueError) as e:
            self.ws.openai.tools(only=["read_file", "rm_rf"])
        self.assertIn("rm_rf", str(e.exception))


class ExecuteTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.b = server().client()
        cls.ws = cls.b.workspaces.create(name="llm-calls")

    @classmethod
    def tearDownClass(cls) -> None:
        delete_quietly(cls.b, cls.ws.id)

    def test_openai_tool_calls_as_dicts(self) -> None:
        message = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                openai_call("call_1", "write_file", {"path": "o.txt", "content": "from openai"}),
                openai_call("call_2", "run_command", {"command": "cat o.txt; exit 4"}),
                openai_call("call_3", "read_file", {"path": "missing.txt"}),
                openai_call("call_4", "read_file", '{"path": '),
                openai_call("call_5", "no_such_tool", {}),
                openai_call("call_6", "run_command", {"comand": "ls"}),
                {"id": "call_7", "type": "custom", "custom": {"name": "x", "input": "y"}},
            ],
        }
        answers = self.ws.openai.execute(message)
        self.assertEqual([a["tool_call_id"] for a in answers], [f"call_{i}" for i in range(1, 8)])
        self.assertTrue(all(a["role"] == "tool" and isinstance(a["content"], str) for a in answers))
        self.assertIn("Created o.txt", answers[0]["content"])
        self.assertIn("exit code 4", answers[1]["content"])
        self.assertIn("from openai", answers[1]["content"])
        self.assertIn("No file 'missing.txt'", answers[2]["content"])
        self.assertIn("not valid JSON", answers[3]["content"])
        self.assertIn("No tool named 'no_such_tool'", answers[4]["content"])
        self.assertIn("comand", answers[5]["content"], "the hint that names the wrong argument reaches the model")
        self.assertIn("Only function tool calls", answers[6]["content"])
        self.assertEqual(self.ws.files.read("o.txt"), "from openai")

    def test_openai_sdk_objects_and_a_whole_completion(self) -> None:
        call = Obj(id="call_a", type="function", function=Obj(name="python", arguments='{"code": "6 * 7"}'))
        message = Obj(role="assistant", content=None, tool_calls=[call])
        self.assertEqual(self.ws.openai.execute(message), [{"role": "tool", "tool_call_id": "call_a", "content": "42"}])
        completion = Obj(choices=[Obj(index=0, message=message, finish_reason="tool_calls")])
        self.assertEqual(self.ws.openai.execute(completion)[0]["content"], "42")
        self.assertEqual(self.ws.openai.execute([call])[0]["content"], "42")
        self.assertEqual(self.ws.openai.execute(Obj(role="assistant", content="done", tool_calls=None)), [])

    def test_anthropic_tool_use_blocks_as_dicts_and_objects(self) -> None:
        message = {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "Let me write it."},
                {"type": "tool_use", "id": "toolu_1", "name": "write_file", "input": {"path": "a.txt", "content": "A"}},
                {"type": "tool_use", "id": "toolu_2", "name": "read_file", "input": {"path": "nope.txt"}},
                {"type": "tool_use", "id": "toolu_3", "name": "run_command", "input": {"command": "false"}},
                {"type": "tool_use", "id": "toolu_4", "name": "read_file", "input": ["not", "an", "object"]},
            ],
        }
        results = self.ws.anthropic.execute(message)
        self.assertEqual([r["tool_use_id"] for r in results], ["toolu_1", "toolu_2", "toolu_3", "toolu_4"])
        self.assertTrue(all(r["type"] == "tool_result" for r in results))
        self.assertNotIn("is_error", results[0])
        self.assertTrue(results[1]["is_error"])
        self.assertIn("No file 'nope.txt'", results[1]["content"])
        self.assertTrue(results[2]["is_error"], "a failed command is an error result for the model")
        self.assertIn("exit code 1", results[2]["content"])
        self.assertTrue(results[3]["is_error"])
        self.assertEqual(self.ws.files.read("a.txt"), "A")

        block = Obj(type="tool_use", id="toolu_x", name="run_command", input={"command": "echo object"})
        sdk_message = Obj(role="assistant", content=[Obj(type="text", text="hi"), block], stop_reason="tool_use")
        result = self.ws.anthropic.execute(sdk_message)
        self.assertEqual(result[0]["tool_use_id"], "toolu_x")
        self.assertIn("object", result[0]["content"])
        self.assertEqual(len(self.ws.anthropic.execute([block])), 1)

    def test_a_wrong_token_is_the_harnesss_error_not_the_models(self) -> None:
        stranger = Belay(server().url, "bw_not-a-token").workspace(self.ws.id)
        with self.assertRaises(Unauthorized):
            stranger.openai.execute({"tool_calls": [openai_call("c", "read_file", {"path": "a.txt"})]})
        with self.assertRaises(Unauthorized):
            stranger.anthropic.execute([{"type": "tool_use", "id": "t", "name": "read_file", "input": {}}])


class ToolLoopTest(unittest.TestCase):
    """The loop a user writes, against a stand-in that refuses what the real APIs refuse."""

    @classmethod
    def setUpClass(cls) -> None:
        cls.b = server().client()
        cls.llm = FakeLlm()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.llm.close()

    def setUp(self) -> None:
        self.ws = self.b.workspaces.create(name="loop")
        self.addCleanup(delete_quietly, self.b, self.ws.id)

    def test_an_openai_tool_loop(self) -> None:
        self.llm.script = [
            {
                "tool_calls": [
                    openai_call("call_1", "write_file", {"path": "hello.py", "content": "print('hello, loop')\n"}),
                    openai_call("call_2", "run_command", {"command": "python3 hello.py"}),
                ]
            },
            {"tool_calls": [openai_call("call_3", "read_file", {"path": "missing.py"})]},
            {"content": "It printed hello, loop."},
        ]
        messages: List[Any] = [{"role": "user", "content": "Write hello.py and run it."}]
        tools = self.ws.openai.tools(only=["write_file", "run_command", "read_file"])
        for _ in range(5):
            completion = post(
                self.llm.url + "/chat/completions",
                {"model": "gpt-test", "messages": messages, "tools": tools},
                {"Authorization": "Bearer sk-test"},
            )
            message = completion["choices"][0]["message"]
            messages.append(message)
            if completion["choices"][0]["finish_reason"] != "tool_calls":
                break
            messages.extend(self.ws.openai.execute(message))
        self.assertEqual(messages[-1]["content"], "It printed hello, loop.")
        tool_messages = [m for m in messages if m["role"] == "tool"]
        self.assertIn("hello, loop", tool_messages[1]["content"])
        self.assertIn("No file 'missing.py'", tool_messages[2]["content"])
        self.assertEqual(self.ws.files.read("hello.py"), "print('hello, loop')\n")

    def test_an_anthropic_tool_loop(self) -> None:
        self.llm.script = [
            {
                "content": [
                    {"type": "text", "text": "Running it."},
                    {"type": "tool_use", "id": "toolu_1", "name": "python", "input": {"code": "sum(range(10))"}},
                ]
            },
            {"content": [{"type": "text", "text": "The sum is 45."}]},
        ]
        messages: List[Any] = [{"role": "user", "content": "Sum 0..9 in Python."}]
        for _ in range(5):
            reply = post(
                self.llm.url + "/messages",
                {"model": "claude-test", "max_tokens": 1024, "messages": messages, "tools": self.ws.anthropic.tools()},
                {"x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01"},
            )
            messages.append({"role": "assistant", "content": reply["content"]})
            if reply["stop_reason"] != "tool_use":
                break
            messages.append({"role": "user", "content": self.ws.anthropic.execute(reply)})
        self.assertEqual(messages[-1]["content"][0]["text"], "The sum is 45.")
        self.assertEqual(messages[2]["content"][0]["content"], "45")

    def test_the_stand_in_refuses_an_unanswered_tool_call(self) -> None:
        """The stand-in checks what the loops above rely on: a call without its answer is a 400."""
        self.llm.script = [{"content": "unreachable"}]
        messages = [
            {"role": "user", "content": "x"},
            {"role": "assistant", "content": None, "tool_calls": [openai_call("call_1", "run_command", {})]},
        ]
        with self.assertRaises(urllib.error.HTTPError) as e:
            post(self.llm.url + "/chat/completions", {"model": "m", "messages": messages}, {})
        self.assertEqual(e.exception.code, 400)


if __name__ == "__main__":
    unittest.main()
