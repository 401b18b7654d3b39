"""A stdio MCP server that speaks the protocol properly, then floods what Belay reads from it.

Tools: echo (answers), flood_stderr (512 MiB on stderr without a newline, then answers), huge_line (an answer line
that never ends on stdout), die (a last word on stderr, then exit 1).
"""
import json
import os
import sys

TOOLS = [{"name": n, "inputSchema": {"type": "object"}} for n in ("echo", "flood_stderr", "huge_line", "die")]
CHUNK = b"e" * (1 << 20)


def answer(msg_id, result):
    sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": msg_id, "result": result}) + "\n")
    sys.stdout.flush()


for line in sys.stdin:
    msg = json.loads(line)
    if "id" not in msg:
        continue
    method = msg["method"]
    if method == "initialize":
        answer(msg["id"], {"protocolVersion": msg["params"]["protocolVersion"], "capabilities": {"tools": {}},
                           "serverInfo": {"name": "hostile-stdio", "version": "1"}})
    elif method == "tools/list":
        answer(msg["id"], {"tools": TOOLS})
    elif method == "tools/call":
        name = msg["params"]["name"]
        if name == "flood_stderr":
            for _ in range(512):
                os.write(2, CHUNK)
        elif name == "huge_line":
            sys.stdout.write('{"jsonrpc": "2.0", "id": %s, "result": {"content": [{"type": "text", "text": "'
                             % json.dumps(msg["id"]))
            try:
                while True:
                    os.write(1, CHUNK)
            except OSError:
                sys.exit(0)  # Belay stopped reading, as it should
        elif name == "die":
            os.write(2, b"dying words\n")
            sys.exit(1)
        answer(msg["id"], {"content": [{"type": "text", "text": name + " done"}]})
    else:
        answer(msg["id"], {})
