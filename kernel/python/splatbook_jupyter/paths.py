"""Root-relative paths from the browser, checked before any file is touched."""

import os
import re

_DRIVE = re.compile(r"^[A-Za-z]:")


class PathRefused(Exception):
    """A requested path that is not a plain path inside the server root."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def resolve_inside(root, rel):
    """The real path of ``rel`` (a ``/``-separated path relative to ``root``).

    Refused (``PathRefused``): absolute paths, ``..``, backslashes, NUL, a ``%`` left after the
    query was decoded (double-encoded traversal), hidden components (as the contents API hides
    them), and anything whose real path, symlinks resolved, leaves the root.
    """
    if rel is None:
        raise PathRefused(400, "missing path")
    if "\x00" in rel or "\\" in rel or "%" in rel:
        raise PathRefused(400, "path has a forbidden character")
    if rel.startswith("/") or _DRIVE.match(rel):
        raise PathRefused(400, "absolute paths are refused; give a path relative to the root")
    parts = [p for p in rel.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise PathRefused(400, "'..' is refused")
    if any(p.startswith(".") for p in parts):
        raise PathRefused(403, "hidden paths are refused")
    real_root = os.path.realpath(root)
    full = os.path.realpath(os.path.join(real_root, *parts))
    if full != real_root and not full.startswith(real_root + os.sep):
        raise PathRefused(403, "path leaves the server root")
    return full


def relative_to(root, full):
    """``full`` as a ``/``-separated path relative to ``root`` (``""`` for the root)."""
    rel = os.path.relpath(full, os.path.realpath(root))
    return "" if rel == "." else rel.replace(os.sep, "/")
