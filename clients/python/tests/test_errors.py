"""Refusals come back as typed errors with the server's own error, hint and status, and change nothing."""

from __future__ import annotations

import unittest

from support import delete_quietly, git_repository, server

from belay import (
    BadRequest,
    Belay,
    BelayError,
    Conflict,
    ConnectionFailed,
    Forbidden,
    NotFound,
    ToolFailed,
    Unauthorized,
)


class ErrorsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.server = server()
        cls.b = cls.server.client()
        cls.a = cls.b.workspaces.create(name="a")
        cls.other = cls.b.workspaces.create(name="b")
        cls.repo = git_repository()

    @classmethod
    def tearDownClass(cls) -> None:
        delete_quietly(cls.b, cls.a.id, cls.other.id)

    def test_404_for_what_does_not_exist(self) -> None:
        with self.assertRaises(NotFound) as e:
            self.b.workspaces.get("zzzzzzzzzzzz")
        self.assertEqual(e.exception.status, 404)
        self.assertIn("zzzzzzzzzzzz", e.exception.error)
        with self.assertRaises(NotFound):
            self.b.workspaces.delete("zzzzzzzzzzzz")
        with self.assertRaises(BadRequest, msg="an id that is no id never reaches the disk"):
            self.b.workspaces.get("../../etc")
        with self.assertRaises(NotFound) as e:
            self.a.files.read("no-such-file.txt")
        self.assertIn("no-such-file.txt", e.exception.error)
        with self.assertRaises(NotFound) as e:
            self.a.call("no_such_tool")
        self.assertEqual(e.exception.error, "No tool named 'no_such_tool'.")
        with self.assertRaises(NotFound):
            self.a.undo("0123456789")

    def test_403_for_another_workspaces_token_whether_it_exists_or_not(self) -> None:
        as_a = Belay(self.server.url, self.a.token)
        refusals = []
        for attempt in (
            lambda: as_a.workspace(self.other.id).run("true"),
            lambda: as_a.workspace(self.other.id).files.read("x"),
            lambda: as_a.workspace(self.other.id).tool_specs(),
            lambda: as_a.workspace("zzzzzzzzzzzz").run("true"),
            lambda: as_a.workspaces.list(),
            lambda: as_a.workspaces.get(self.a.id),
            lambda: as_a.workspaces.create(name="mine"),
        ):
            with self.assertRaises(Forbidden) as e:
                attempt()
            refusals.append((e.exception.status, e.exception.error, e.exception.hint))
        self.assertEqual(len(set(refusals)), 1, "the same answer everywhere: nothing learnt of other workspaces")
        self.assertEqual(refusals[0][0], 403)
        self.assertIn("one workspace", refusals[0][2])
        self.assertEqual(as_a.workspace(self.a.id).run("echo mine").stdout, "mine\n", "its own doors open")
        self.assertEqual(len(self.b.workspaces.list()), len(self.b.workspaces.list()), "nothing was created")

    def test_401_for_a_token_of_no_one(self) -> None:
        stranger = Belay(self.server.url, "bw_not-a-token")
        with self.assertRaises(Unauthorized) as e:
            stranger.workspaces.list()
        self.assertEqual(e.exception.status, 401)
        with self.assertRaises(Unauthorized):
            stranger.workspace(self.a.id).run("true")

    def test_400_for_a_wrong_request_with_the_servers_words(self) -> None:
        cases = {
            "1 to 100": lambda: self.b.workspaces.create(name="x" * 101),
            "absolute path": lambda: self.b.workspaces.create(template="relative/dir"),
            "no branch, tag or commit 'nope'": lambda: self.b.workspaces.create(git=str(self.repo), ref="nope"),
            "template": lambda: self.b.workspaces.create(git=str(self.repo), template="/tmp"),
            "give git too": lambda: self.b.workspaces.create(ref="main"),
            "TTL": lambda: self.b.workspaces.create(ttl=0),
            "local, sandbox or container": lambda: self.b.workspaces.create(runtime="nope"),
            "egress policy refuses 127.0.0.1": lambda: self.b.workspaces.create(git="http://127.0.0.1:9/x.git"),
        }
        before = {w.id for w in self.b.workspaces.list()}
        for expected, attempt in cases.items():
            with self.subTest(expected):
                with self.assertRaises(BadRequest) as e:
                    attempt()
                self.assertEqual(e.exception.status, 400)
                self.assertIn(expected, e.exception.error)
                self.assertIn(expected, str(e.exception))
        self.assertEqual({w.id for w in self.b.workspaces.list()}, before, "no workspace was left behind")

        with self.assertRaises(BadRequest) as e:
            self.a.call("run_command", {"comand": "ls"})
        self.assertIn("comand", e.exception.hint, "the hint names the misspelt argument")
        with self.assertRaises(Forbidden) as e:
            self.a.files.write("../outside.txt", "no")
        self.assertIn("outside the workspace", e.exception.error)

    def test_a_failed_tool_is_a_tool_failure_but_a_failed_command_is_a_result(self) -> None:
        self.assertEqual(self.a.run("exit 7").exit_code, 7)
        self.a.files.write("exists.txt", "x")
        with self.assertRaises(Conflict) as e:
            self.a.files.write("exists.txt", "y", mode="create")
        self.assertIn("'exists.txt' already exists", e.exception.error)
        self.assertEqual(self.a.files.read("exists.txt"), "x", "the refused write changed nothing")
        self.assertTrue(issubclass(ToolFailed, BelayError))
        late = self.a.run("sleep 5", timeout=1)
        self.assertEqual((late.timed_out, late.exit_code, late.ok), (True, None, False), "a timeout is a result too")

    def test_no_server_no_answer(self) -> None:
        with self.assertRaises(ConnectionFailed) as e:
            Belay("http://127.0.0.1:1", "t" * 20, timeout=5).workspaces.list()
        self.assertIsNone(e.exception.status)
        with self.assertRaises(ValueError):
            Belay("ftp://example.org", "t")
        with self.assertRaises(ValueError):
            Belay(self.server.url, "")
        with self.assertRaises(ValueError, msg="a field the route does not take is not sent"):
            self.b._http.send(__import__("belay.routes").routes.ROUTES["fork"], "t", {"id": "x"}, {"nmae": "x"})


if __name__ == "__main__":
    unittest.main()
