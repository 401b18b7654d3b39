"""The real ``./belay serve --workspaces`` of this checkout, started once for the whole suite on a free port with its
own directories and admin token, and a small git repository to create workspaces from.

``BELAY_LAUNCHER`` names another launcher; by default it is the ``belay`` script above this directory.
"""

from __future__ import annotations

import atexit
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import List, Optional

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))  # the package as the checkout has it, installed or not

from belay import Belay, NotFound  # noqa: E402

READY = re.compile(r"(http://\S+)/workspaces$")
MAX_WORKSPACES = 12


def launcher() -> Path:
    named = os.environ.get("BELAY_LAUNCHER")
    if named:
        return Path(named)
    for d in HERE.parents:
        if (d / "belay").is_file() and os.access(d / "belay", os.X_OK):
            return d / "belay"
    raise RuntimeError(f"no ./belay launcher above {HERE}; set BELAY_LAUNCHER")


class Server:
    """One ``belay serve --workspaces`` process: expired workspaces are swept every second, calls approved."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="belay-sdk-"))
        self.token = "bt_" + secrets.token_urlsafe(24)
        env = dict(os.environ)
        env.update(
            BELAY_TOKEN=self.token,
            BELAY_CONFIG_DIR=str(self.root / "home/config"),
            BELAY_DATA_DIR=str(self.root / "home/data"),
        )
        command = [
            str(launcher()),
            "serve",
            "--workspaces",
            str(self.root / "workspaces"),
            "--port",
            "0",
            "--approve",
            "auto",
            "--workspace-sweep",
            "1",
            "--max-workspaces",
            str(MAX_WORKSPACES),
        ]
        self.process = subprocess.Popen(
            command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        self.log: List[str] = []
        found = threading.Event()
        self.url = ""

        def read() -> None:
            assert self.process.stderr is not None
            for line in self.process.stderr:
                self.log.append(line)
                m = READY.search(line.strip())
                if m and not found.is_set():
                    self.url = m.group(1)
                    found.set()
            found.set()

        threading.Thread(target=read, daemon=True).start()
        if not found.wait(180) or not self.url:
            self.stop()
            raise RuntimeError("belay serve --workspaces did not start:\n" + "".join(self.log))

    def client(self, token: Optional[str] = None) -> Belay:
        return Belay(self.url, token or self.token, timeout=120)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


_server: Optional[Server] = None


def server() -> Server:
    """The suite's one server, started on first use and stopped when the tests end."""
    global _server
    if _server is None:
        _server = Server()
        atexit.register(_server.stop)
    return _server


def git_repository() -> Path:
    """A repository with README.md on main and feature.txt on branch feature, main checked out."""
    repo = Path(tempfile.mkdtemp(prefix="belay-sdk-repo-"))
    atexit.register(shutil.rmtree, repo, True)

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=SDK test", "-c", "user.email=sdk@example.invalid", *args],
            cwd=repo,
            check=True,
            capture_output=True,
        )

    git("init", "-q", "-b", "main")
    (repo / "README.md").write_text("from the repository\n")
    git("add", ".")
    git("commit", "-q", "-m", "first")
    git("checkout", "-q", "-b", "feature")
    (repo / "feature.txt").write_text("on the branch\n")
    git("add", ".")
    git("commit", "-q", "-m", "feature")
    git("checkout", "-q", "main")
    return repo


def delete_quietly(b: Belay, *ids: str) -> None:
    """Removes workspaces a test made, whether or not the test got to delete them itself."""
    for id in ids:
        try:
            b.workspaces.delete(id)
        except NotFound:
            pass


def wait_until(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.2)
