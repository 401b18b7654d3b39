"""The entry point: a server's URL and a token."""

from __future__ import annotations

from typing import List, Mapping, Optional, Union

from ._http import Http
from .results import Snapshot
from .routes import ROUTES
from .workspace import Workspace


class Belay:
    """A ``belay serve --workspaces`` server.

    ``token`` is normally the admin token (``belay token show`` on the server, or its ``BELAY_TOKEN``); with a
    workspace's own token, only :meth:`workspace` with that workspace's id is of use. ``timeout`` bounds each HTTP
    request in seconds: keep it above the longest command you run (a command's own default timeout is 120 s).
    """

    def __init__(self, url: str, token: str, timeout: float = 600.0) -> None:
        if not token:
            raise ValueError("a token is needed: the admin token, or a workspace's own")
        self._http = Http(url, timeout)
        self._token = token
        self.workspaces = Workspaces(self._http, token)

    @property
    def url(self) -> str:
        return self._http.base

    def workspace(self, id: str) -> Workspace:
        """A handle on a workspace by id, without asking the server: for its tools, with this client's token."""
        return Workspace(id=id, token=self._token, _http=self._http, _admin_token=self._token)

    def __repr__(self) -> str:
        return f"Belay({self.url!r})"


class Workspaces:
    """The lifecycle API: ``POST/GET /workspaces``, ``GET/DELETE /workspaces/{id}``."""

    def __init__(self, http: Http, token: str) -> None:
        self._http = http
        self._token = token

    def create(
        self,
        git: Optional[str] = None,
        ref: Optional[str] = None,
        runtime: Optional[str] = None,
        ttl: Optional[int] = None,
        name: Optional[str] = None,
        template: Optional[str] = None,
        snapshot: Union[Snapshot, str, None] = None,
        labels: Optional[Mapping[str, str]] = None,
        max_lifetime: Optional[int] = None,
    ) -> Workspace:
        """A new workspace: empty, or from a git repository (a URL, or an absolute path on the server) at ``ref``,
        a template directory on the server, or a snapshot (at most one of the three). ``ttl`` is the idle time in
        seconds after which the server deletes it; ``runtime`` is ``local``, ``sandbox`` or ``container[:IMAGE]``.
        """
        body = {
            "git": git,
            "ref": ref,
            "runtime": runtime,
            "ttl_seconds": ttl,
            "name": name,
            "template": template,
            "snapshot": snapshot.id if isinstance(snapshot, Snapshot) else snapshot,
            "labels": labels,
            "max_lifetime_seconds": max_lifetime,
        }
        answer = self._http.send(ROUTES["create"], self._token, {}, body)
        return Workspace._of(self._http, self._token, answer, answer.get("token"))

    def list(self) -> List[Workspace]:
        answer = self._http.send(ROUTES["list"], self._token, {})
        return [Workspace._of(self._http, self._token, view) for view in answer["workspaces"]]

    def get(self, id: str) -> Workspace:
        return Workspace._of(self._http, self._token, self._http.send(ROUTES["get"], self._token, {"id": id}))

    def delete(self, id: str) -> None:
        self._http.send(ROUTES["delete"], self._token, {"id": id})
