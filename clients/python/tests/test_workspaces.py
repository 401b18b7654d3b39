"""The SDK's surface against the real server: a workspace from a git repository, used, forked, undone, deleted,
expired, and the limit on how many a server holds."""

from __future__ import annotations

import re
import unittest

from support import MAX_WORKSPACES, delete_quietly, git_repository, server, wait_until

from belay import Belay, ConnectionFailed, FileEntry, LimitReached, NotFound, Unauthorized


class WorkspacesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.server = server()
        cls.repo = git_repository()

    def setUp(self) -> None:
        self.b = self.server.client()
        self.made: list = []
        self.addCleanup(lambda: delete_quietly(self.b, *self.made))

    def test_a_workspace_from_git_is_used_forked_undone_and_deleted(self) -> None:
        ws = self.b.workspaces.create(git=str(self.repo), ref="feature", ttl=3600, name="x", labels={"team": "sdk"})
        self.made.append(ws.id)
        self.assertRegex(ws.id, r"^[a-z0-9]{12}$")
        self.assertTrue(ws.token and ws.token.startswith("bw_"), "the workspace's own token is in the answer")
        self.assertEqual((ws.name, ws.runtime, ws.ttl_seconds, ws.labels), ("x", "local", 3600, {"team": "sdk"}))
        self.assertEqual(ws.origin, f"git {self.repo}@feature")
        self.assertNotIn(ws.token, repr(ws), "a token is not printed with the workspace")

        r = ws.run("cat README.md feature.txt && git branch --show-current")
        self.assertEqual(r.exit_code, 0, r.text)
        self.assertEqual(r.stdout, "from the repository\non the branch\nfeature\n")
        r = ws.run("echo out; echo err >&2; exit 3")
        self.assertEqual((r.exit_code, r.stdout, r.stderr, r.ok), (3, "out\n", "err\n", False))
        self.assertEqual(ws.run("cat", stdin="typed in").stdout, "typed in")
        self.assertEqual(
            ws.run("echo $GREETING; pwd", env={"GREETING": "hey"}, cwd=".git").stdout.split("\n")[0], "hey"
        )

        written = ws.files.write("a.txt", "hi")
        self.assertEqual((written.path, written.bytes_written, written.created), ("a.txt", 2, True))
        self.assertEqual(ws.files.read("a.txt"), "hi")
        ws.files.write("a.txt", " there", mode="append")
        self.assertEqual(ws.files.read("a.txt"), "hi there")
        ws.files.write("src/pkg/mod.py", "x = 1\n")
        self.assertEqual(
            ws.files.list("."),
            [
                FileEntry("README.md", "file", 20),
                FileEntry("a.txt", "file", 8),
                FileEntry("feature.txt", "file", 14),
                FileEntry("src", "directory", None),
            ],
        )
        self.assertIn(FileEntry("src/pkg/mod.py", "file", 6), ws.files.list("src", depth=3))

        self.assertEqual(ws.python("1 + 1").value, "2")
        ws.python("total = 40")
        self.assertEqual(ws.python("total + 2").value, "42", "the Python session keeps its state")
        failed = ws.python("print('before'); 1 / 0")
        self.assertEqual(failed.stdout, "before\n")
        self.assertIsNotNone(failed.error)
        self.assertEqual(failed.error.type, "ZeroDivisionError")

        fork = ws.fork(name="try-2")
        self.made.append(fork.id)
        self.assertNotEqual(fork.id, ws.id)
        self.assertNotEqual(fork.token, ws.token)
        self.assertEqual((fork.name, fork.labels), ("try-2", {"team": "sdk"}))
        self.assertEqual(fork.files.read("a.txt"), "hi there", "the fork starts with the original's files")
        fork.files.write("a.txt", "changed in the fork")
        fork.run("rm feature.txt")
        self.assertEqual(fork.files.read("a.txt"), "changed in the fork")
        self.assertEqual(ws.files.read("a.txt"), "hi there", "the original is untouched")
        self.assertEqual(ws.files.read("feature.txt"), "on the branch\n")

        history = fork.history()
        self.assertEqual(history[0].tool, "run_command")
        self.assertEqual(history[0].files, ["feature.txt"])
        self.assertEqual([c.tool for c in history[1:3]], ["write_file", "write_file"])
        self.assertTrue(any(c.summary == "write_file: a.txt" for c in ws.history()), "the original's own past")
        self.assertEqual(len(fork.history(limit=2)), 2)
        self.assertEqual([c.summary for c in fork.history(path="src")], ["write_file: src/pkg/mod.py"])

        undone = fork.undo()
        self.assertEqual(undone.tool, "undo")
        self.assertEqual(undone.files, ["feature.txt"])
        self.assertEqual(fork.files.read("feature.txt"), "on the branch\n")
        fork.undo(history[1])  # the fork's own write, by its commit
        self.assertEqual(fork.files.read("a.txt"), "hi there")

        fork.delete()
        ids = [w.id for w in self.b.workspaces.list()]
        self.assertIn(ws.id, ids)
        self.assertNotIn(fork.id, ids)
        with self.assertRaises(NotFound):
            self.b.workspaces.get(fork.id)
        with self.assertRaises(Unauthorized, msg="a deleted workspace's token opens nothing"):
            fork.run("true")

        got = self.b.workspaces.get(ws.id)
        self.assertIsNone(got.token, "a token is only shown when the workspace is made")
        self.assertGreaterEqual(got.last_used, ws.last_used)
        self.assertEqual(got.run("cat a.txt").stdout, "hi there", "the admin token opens its doors")

    def test_text_and_bytes_come_back_exactly_whatever_their_size(self) -> None:
        ws = self.b.workspaces.create()
        self.made.append(ws.id)
        text = "".join(f"line {i}: żółw 🐢 \t tab\r\n" for i in range(8000))  # ~250 KB: read in pieces
        ws.files.write("big.txt", text)
        self.assertEqual(ws.files.read("big.txt"), text)
        self.assertEqual(ws.files.read("big.txt", encoding="utf-8").count("🐢"), 8000)
        ws.run("head -c 100000 /dev/urandom > noise.bin")
        self.assertEqual(len(ws.files.read_bytes("noise.bin")), 100000)
        self.assertEqual(
            ws.run("sha256sum noise.bin").stdout.split()[0],
            __import__("hashlib").sha256(ws.files.read_bytes("noise.bin")).hexdigest(),
        )
        ws.files.write("empty.txt", "")
        self.assertEqual(ws.files.read("empty.txt"), "")

    def test_a_command_given_more_time_than_the_client_is_waited_for(self) -> None:
        impatient = Belay(self.server.url, self.server.token, timeout=2)
        ws = impatient.workspaces.create()
        self.made.append(ws.id)
        with self.assertRaises(ConnectionFailed) as e:
            ws.run("sleep 4")
        self.assertIn("within 2 s", e.exception.error)
        self.assertEqual(ws.run("sleep 4; echo late", timeout=30).stdout, "late\n")

    def test_an_unused_workspace_expires_after_its_ttl(self) -> None:
        ws = self.b.workspaces.create(ttl=2, name="short-lived")
        self.made.append(ws.id)
        self.assertEqual(ws.ttl_seconds, 2)
        wait_until(lambda: ws.id not in [w.id for w in self.b.workspaces.list()], 30, "the workspace expired")
        with self.assertRaises(NotFound):
            self.b.workspaces.get(ws.id)
        with self.assertRaises(Unauthorized):
            ws.run("true")

    def test_the_server_refuses_a_workspace_over_its_limit(self) -> None:
        with self.assertRaises(LimitReached) as refused:
            for _ in range(MAX_WORKSPACES + 1):
                self.made.append(self.b.workspaces.create(name="filler").id)
        self.assertEqual(refused.exception.status, 429)
        self.assertRegex(refused.exception.error, re.compile(str(MAX_WORKSPACES)))
        delete_quietly(self.b, *self.made)
        self.made.clear()
        self.made.append(self.b.workspaces.create(name="room again").id)


if __name__ == "__main__":
    unittest.main()
