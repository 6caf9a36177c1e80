"""Jupyter server extension of splatbook: read-only job state for the JupyterLab extension.

The contents API refuses hidden files such as ``.checkpoint.json`` unless
``ContentsManager.allow_hidden`` is set, so the browser reads job state here instead. Routes,
under the server's base URL, all GET, all behind the server's own authentication:

``splatbook/api/jobs?folder=F&depth=N``
    every job folder (one holding ``.checkpoint.json``) under F, at most N levels down
``splatbook/api/job?path=P``
    one job folder: its checkpoint, Brush's status file, and the paths of its artefacts
``splatbook/api/file?path=P``
    one artefact of a job (``metrics.arrow``, a preview PNG, ``model.splat``/``.ply``/``.spz``,
    ``cameras.json``)

Paths are relative to the server root; ``..``, absolute paths, hidden components and symlinks
that leave the root are refused. The JSON files are passed through unparsed beyond ``json.load``:
their schemas live in the TypeScript contracts, not here.
"""

from .handlers import setup_handlers

__all__ = ["setup_handlers"]


def _jupyter_server_extension_points():
    return [{"module": "splatbook_server"}]


def _load_jupyter_server_extension(serverapp):
    root = serverapp.contents_manager.root_dir
    setup_handlers(serverapp.web_app, root)
    serverapp.log.info("splatbook server extension: job state under %s", root)
