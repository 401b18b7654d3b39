"""Snapshots, restore, creation from a snapshot, and stop/resume, through the SDK against the real server."""

from __future__ import annotations

import re
import unittest

from support import delete_quietly, server

from belay import BelayError, Conflict, NotFound, Snapshot


class SnapshotsTest(unittest.TestCase):
    def setUp(self) -> None:
        self.b = server().client()
        self.ws = self.b.workspaces.create(name="snap")
        self.made = [self.ws.id]
        self.addCleanup(lambda: delete_quietly(self.b, *self.made))

    def test_a_snapshot_is_restored_listed_created_from_and_deleted(self) -> None:
        self.ws.files.write("notes.txt", "before the refactor")
        snap = self.ws.snapshot(name="before-refactor")
        self.assertIsInstance(snap, Snapshot)
        self.assertRegex(snap.id, r"^[a-z0-9]{12}$")
        self.assertEqual((snap.name, snap.workspace), ("before-refactor", self.ws.id))
        self.assertIsNotNone(snap.created)
        self.assertGreaterEqual(snap.disk_bytes, len("before the refactor"))

        self.ws.files.write("notes.txt", "after the refactor")
        self.ws.files.write("new.txt", "new")
        restored = self.ws.restore(snap)
        self.assertIs(restored, self.ws, "the handle stays the workspace's")
        self.assertEqual(self.ws.files.read("notes.txt"), "before the refactor")
        self.assertNotIn("new.txt", [e.path for e in self.ws.files.list()])
        self.assertEqual(self.ws.run("cat notes.txt").stdout, "before the refactor", "its token still works")

        unnamed = self.ws.snapshot()
        self.assertEqual([s.id for s in self.ws.snapshots()], [snap.id, unnamed.id], "oldest first")

        copy = self.b.workspaces.create(snapshot=snap, name="from-snapshot")
        self.made.append(copy.id)
        self.assertEqual(copy.files.read("notes.txt"), "before the refactor")
        self.assertTrue(any(c.summary == "write_file: notes.txt" for c in copy.history()), "with its journal")
        copy.files.write("notes.txt", "the copy's own")
        self.assertEqual(self.ws.files.read("notes.txt"), "before the refactor")

        self.ws.delete_snapshot(unnamed)
        self.assertEqual([s.id for s in self.ws.snapshots()], [snap.id])
        with self.assertRaises(NotFound):
            self.ws.restore("zzzzzzzzzzzz")
        with self.assertRaises(BelayError) as e:
            self.b.workspaces.create(snapshot=snap.id, git="/tmp")
        self.assertEqual(e.exception.status, 400, "a snapshot and a git repository are exclusive")

    def test_a_stopped_workspace_keeps_its_files_and_refuses_calls_until_resumed(self) -> None:
        self.ws.files.write("kept.txt", "kept")
        stopped = self.ws.stop()
        self.assertEqual(stopped.state, "stopped")
        self.assertEqual(self.b.workspaces.get(self.ws.id).state, "stopped")
        with self.assertRaises(Conflict) as e:
            self.ws.run("true")
        self.assertRegex(e.exception.error, re.compile(f"Workspace {self.ws.id} is stopped"))
        self.assertIn("resume", e.exception.hint)
        self.assertEqual(self.ws.resume().state, "running")
        self.assertEqual(self.ws.files.read("kept.txt"), "kept")


if __name__ == "__main__":
    unittest.main()
