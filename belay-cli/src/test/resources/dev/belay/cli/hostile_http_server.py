"""A Streamable HTTP MCP server that answers some calls with more than a client should ever hold.

Usage: hostile_http_server.py PORT_FILE. It listens on a free loopback port and writes the port to PORT_FILE.
Tools: echo (answers), endless_line (an SSE stream whose one line never ends), huge_body (a JSON body that never
ends). The endless answers stop when the client hangs up.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOOLS = [{"name": n, "inputSchema": {"type": "object"}} for n in ("echo", "endless_line", "huge_body")]
CHUNK = b"x" * (1 << 20)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # bodies end when the connection closes: no length to give away

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.send_response(405)
        self.end_headers()

    def do_DELETE(self):
        self.send_response(200)
        self.end_headers()

    def do_POST(self):
        msg = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if "id" not in msg:
            self.send_response(202)
            self.end_headers()
            return
        method = msg["method"]
        name = msg.get("params", {}).get("name")
        if method == "tools/call" and name == "endless_line":
            self.endless("text/event-stream", b"event: message\ndata: ")
            return
        if method == "tools/call" and name == "huge_body":
            head = {"jsonrpc": "2.0", "id": msg["id"], "result": {"content": [{"type": "text", "text": ""}]}}
            self.endless("application/json", json.dumps(head).split('"text": "')[0].encode() + b'"text": "')
            return
        if method == "initialize":
            result = {"protocolVersion": msg["params"]["protocolVersion"], "capabilities": {"tools": {}},
                      "serverInfo": {"name": "hostile-http", "version": "1"}}
        elif method == "tools/list":
            result = {"tools": TOOLS}
        elif method == "tools/call":
            result = {"content": [{"type": "text", "text": "echo " + json.dumps(msg["params"].get("arguments"))}]}
        else:
            result = {}
        body = json.dumps({"jsonrpc": "2.0", "id": msg["id"], "result": result}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def endless(self, content_type, head):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.end_headers()
        try:
            self.wfile.write(head)
            while True:
                self.wfile.write(CHUNK)
        except OSError:
            pass  # the client hung up, as it should


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.replace(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
