"""The SDK against the server's OpenAPI document: every route in the SDK's one table exists there with its method,
and every body field and tool argument the SDK sends is in that route's request schema."""

from __future__ import annotations

import json
import re
import unittest
import urllib.parse
import urllib.request
from typing import Any, Dict, Optional, Set

from support import server

from belay.routes import ROUTES, TOOLS, Route


def template(path: str) -> str:
    """A path with its parameters' names left out: /workspaces/{workspace_id} and /workspaces/{id} are one route."""
    return re.sub(r"\{[^}]+\}", "{}", path)


class DriftTest(unittest.TestCase):
    doc: Dict[str, Any]
    paths: Dict[str, Dict[str, Any]]

    @classmethod
    def setUpClass(cls) -> None:
        s = server()
        request = urllib.request.Request(s.url + "/openapi.json", headers={"Authorization": f"Bearer {s.token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            cls.doc = json.loads(response.read())
        # paths are relative to the first server's URL, whose path (if any) is their prefix
        servers = cls.doc.get("servers") or [{"url": ""}]
        prefix = urllib.parse.urlsplit(servers[0]["url"]).path.rstrip("/")
        cls.paths = {template(prefix + p): item for p, item in cls.doc["paths"].items()}

    def resolve(self, schema: Dict[str, Any]) -> Dict[str, Any]:
        while "$ref" in schema:
            node: Any = self.doc
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node[part]
            schema = node
        return schema

    def properties(self, schema: Dict[str, Any]) -> Set[str]:
        """The field names a schema allows, through $ref, allOf, oneOf and anyOf."""
        schema = self.resolve(schema)
        names = set(schema.get("properties", {}))
        for key in ("allOf", "oneOf", "anyOf"):
            for part in schema.get(key, []):
                names |= self.properties(part)
        return names

    def operation(self, route: Route, path: Optional[str] = None) -> Dict[str, Any]:
        item = self.paths.get(template(path or route.path))
        self.assertIsNotNone(item, f"{route.method} {path or route.path} is not in the OpenAPI document")
        assert item is not None
        op = item.get(route.method.lower())
        self.assertIsNotNone(op, f"{path or route.path} has no {route.method} in the OpenAPI document")
        return op

    def request_fields(self, op: Dict[str, Any]) -> Set[str]:
        schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        self.assertIsNotNone(schema, f"{op.get('operationId')} declares no JSON request body")
        return self.properties(schema)

    def test_every_lifecycle_route_and_body_field_the_sdk_sends_is_documented(self) -> None:
        for name, route in ROUTES.items():
            if not route.in_openapi or name == "tool":
                continue
            with self.subTest(name):
                op = self.operation(route)
                self.assertIn("operationId", op)
                if route.body:
                    missing = set(route.body) - self.request_fields(op)
                    self.assertFalse(missing, f"{route.method} {route.path} does not take {sorted(missing)}")

    def test_every_tool_and_argument_the_sdk_sends_is_documented(self) -> None:
        route = ROUTES["tool"]
        generic = self.paths.get(template(route.path))
        for tool, arguments in TOOLS.items():
            with self.subTest(tool):
                concrete = route.path.replace("{tool}", tool)
                if template(concrete) not in self.paths and generic is not None:
                    self.operation(route)  # one generic operation for every tool: its arguments are not described
                    continue
                missing = set(arguments) - self.request_fields(self.operation(route, concrete))
                self.assertFalse(missing, f"{tool} does not take {sorted(missing)}")


if __name__ == "__main__":
    unittest.main()
