"""Finding job folders and reading their state files (read-only, bounded)."""

import json
import os

from .paths import relative_to

CHECKPOINT = ".checkpoint.json"
STATUS = "training_status.json"
METRICS = "metrics.arrow"
PREVIEWS = "previews"
GROUND_TRUTH = "ground_truth.png"
MODELS = ("model.splat", "model.spz", "model.ply")
CAMERAS = "cameras.json"
# A folder walk stops after this many directory entries, whatever the depth.
MAX_ENTRIES = 20000
MAX_DEPTH = 8


def _read_json(path):
    """(value, None), (None, None) when absent, or (None, one-line reason) when unreadable."""
    try:
        with open(path, "rb") as f:
            return json.load(f), None
    except FileNotFoundError:
        return None, None
    except (OSError, ValueError) as e:
        return None, f"{os.path.basename(path)}: {e}"


def _mtime(path):
    try:
        return os.stat(path).st_mtime
    except OSError:
        return None


def _latest_preview(folder):
    try:
        names = [
            n for n in os.listdir(os.path.join(folder, PREVIEWS))
            if n.endswith(".png") and n != GROUND_TRUTH and not n.startswith(".")
        ]
    except OSError:
        return None
    return max(names) if names else None


def read_job(root, folder):
    """The state of one job folder: parsed JSON files plus artefact paths (root-relative)."""
    rel = relative_to(root, folder)

    def rel_of(*parts):
        return "/".join(p for p in (rel, *parts) if p)

    checkpoint, cp_error = _read_json(os.path.join(folder, CHECKPOINT))
    status, status_error = _read_json(os.path.join(folder, STATUS))
    times = [t for t in (_mtime(os.path.join(folder, n)) for n in (CHECKPOINT, STATUS)) if t]
    preview = _latest_preview(folder)
    has = lambda *parts: os.path.isfile(os.path.join(folder, *parts))  # noqa: E731
    return {
        "path": rel,
        "checkpoint": checkpoint,
        "training_status": status,
        "errors": [e for e in (cp_error, status_error) if e],
        "updated": max(times) if times else None,
        "metrics": rel_of(METRICS) if has(METRICS) else None,
        "preview": rel_of(PREVIEWS, preview) if preview else None,
        "ground_truth": rel_of(PREVIEWS, GROUND_TRUTH) if has(PREVIEWS, GROUND_TRUTH) else None,
        "model": next((rel_of(m) for m in MODELS if has(m)), None),
        "cameras": rel_of(CAMERAS) if has(CAMERAS) else None,
    }


def find_jobs(root, folder, depth):
    """Job folders under ``folder`` (itself included), breadth first, ``depth`` levels down.

    Hidden folders are skipped and symlinked folders are not followed; a job folder is not
    searched further (its frames/ and colmap/ can be large).
    """
    depth = max(0, min(MAX_DEPTH, depth))
    found, level, seen = [], [folder], 0
    for d in range(depth + 1):
        following = []
        for current in level:
            if os.path.isfile(os.path.join(current, CHECKPOINT)):
                found.append(read_job(root, current))
                continue
            if d == depth:
                continue
            try:
                with os.scandir(current) as entries:
                    for entry in entries:
                        seen += 1
                        if seen > MAX_ENTRIES:
                            return found
                        if entry.name.startswith(".") or not entry.is_dir(follow_symlinks=False):
                            continue
                        following.append(entry.path)
            except OSError:
                continue
        level = sorted(following)
    return found
