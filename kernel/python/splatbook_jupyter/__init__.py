"""splatbook's Jupyter side: the server extension, papermill's TypeScript translator and the
kernel launcher. The wheel also carries the prebuilt JupyterLab extension, the server
extension's enabling config and the ``splatbook`` kernelspec as shared data.

Server extension: read-only job state for the JupyterLab extension. The contents API refuses
hidden files such as ``.checkpoint.json`` unless ``ContentsManager.allow_hidden`` is set, so the
browser reads job state here instead. Routes, under the server's base URL, all GET, all behind the
server's own authentication:

``splatbook/api/jobs?folder=F&depth=N``
    every job folder (one holding ``.checkpoint.json``) under F, at most N levels down
``splatbook/api/job?path=P``
    one job folder: its checkpoint, Brush's status file, and the paths of its artefacts
``splatbook/api/file?path=P``
    one artefact of a job (``metrics.arrow``, a preview PNG, ``model.splat``/``.ply``/``.spz``,
    ``cameras.json``)
``splatbook/api/version``
    this package's version and the version of the Node kernel the launcher would start

Paths are relative to the server root; ``..``, absolute paths, hidden components and symlinks
that leave the root are refused. The JSON files are passed through unparsed beyond ``json.load``:
their schemas live in the TypeScript contracts, not here.
"""

from ._version import __version__

__all__ = ["__version__"]


def _jupyter_server_extension_points():
    return [{"module": "splatbook_jupyter"}]


def _load_jupyter_server_extension(serverapp):
    from .handlers import setup_handlers

    root = serverapp.contents_manager.root_dir
    setup_handlers(serverapp.web_app, root)
    serverapp.log.info("splatbook server extension %s: job state under %s", __version__, root)
