"""Tornado handlers of the splatbook REST API (authenticated, read-only)."""

import asyncio
import json
import os

import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

from ._version import __version__
from .command import node_version
from .jobs import CHECKPOINT, find_jobs, read_job
from .paths import PathRefused, resolve_inside

# Artefacts /file serves, by extension (and the capture cameras by name); anything else in a
# job folder stays private.
_NAMED = {"cameras.json": "application/json"}
_TYPES = {
    ".png": "image/png",
    ".arrow": "application/vnd.apache.arrow.file",
    ".splat": "application/octet-stream",
    ".spz": "application/octet-stream",
    ".ply": "application/octet-stream",
}


class _Base(APIHandler):
    def initialize(self, root):
        self.root = root

    def resolve(self, name):
        try:
            return resolve_inside(self.root, self.get_query_argument(name, None))
        except PathRefused as e:
            raise tornado.web.HTTPError(e.status, str(e)) from None

    def write_error(self, status_code, **kwargs):
        # APIHandler writes JSON errors too; this keeps the message to one line without a trace.
        exc = kwargs.get("exc_info", (None, None, None))[1]
        message = getattr(exc, "log_message", None) or self._reason
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"message": message}))


class JobsHandler(_Base):
    @tornado.web.authenticated
    async def get(self):
        folder = self.resolve("folder") if self.get_query_argument("folder", "") else self.root
        if not os.path.isdir(folder):
            raise tornado.web.HTTPError(404, "no such folder")
        try:
            depth = int(self.get_query_argument("depth", "3"))
        except ValueError:
            raise tornado.web.HTTPError(400, "depth must be an integer") from None
        jobs = await asyncio.to_thread(find_jobs, self.root, folder, depth)
        self.finish(json.dumps({"jobs": jobs}))


class JobHandler(_Base):
    @tornado.web.authenticated
    async def get(self):
        folder = self.resolve("path")
        if not os.path.isfile(os.path.join(folder, CHECKPOINT)):
            raise tornado.web.HTTPError(404, "no job in this folder (no .checkpoint.json)")
        self.finish(json.dumps(await asyncio.to_thread(read_job, self.root, folder)))


class FileHandler(_Base):
    @tornado.web.authenticated
    async def get(self):
        path = self.resolve("path")
        kind = _NAMED.get(os.path.basename(path)) or _TYPES.get(os.path.splitext(path)[1].lower())
        if kind is None:
            raise tornado.web.HTTPError(403, "only job artefacts are served here")
        try:
            with open(path, "rb") as f:
                data = await asyncio.to_thread(f.read)
        except (FileNotFoundError, IsADirectoryError):
            raise tornado.web.HTTPError(404, "no such file") from None
        self.set_header("Content-Type", kind)
        self.set_header("Cache-Control", "no-store")
        self.finish(data)


class VersionHandler(_Base):
    """This package's version and the Node kernel's, for the lab extension to compare."""

    @tornado.web.authenticated
    async def get(self):
        kernel = await asyncio.to_thread(node_version)
        self.finish(json.dumps({"version": __version__, "kernel": kernel}))


def setup_handlers(web_app, root):
    base = url_path_join(web_app.settings["base_url"], "splatbook", "api")
    args = {"root": root}
    web_app.add_handlers(
        ".*$",
        [
            (url_path_join(base, "jobs"), JobsHandler, args),
            (url_path_join(base, "job"), JobHandler, args),
            (url_path_join(base, "file"), FileHandler, args),
            (url_path_join(base, "version"), VersionHandler, args),
        ],
    )
