"""Finding the Node side of splatbook: the ``splatbook`` command of the npm package, which runs
the kernel (``splatbook kernel CONNECTION_FILE``) and reports its version (``splatbook
--version``). ``SPLATBOOK_COMMAND`` (a command line, e.g. ``/opt/sb/bin/splatbook`` or ``node
/src/splatbook/lib/cli/main.js``) is used when set; otherwise ``splatbook`` on ``PATH``.

Every failure is a sentence for the notebook that says what is missing and how to get it.
"""

import os
import re
import shlex
import shutil
import subprocess
import time

ENV_VAR = "SPLATBOOK_COMMAND"
NPM_PACKAGE = "splatbook"
# package.json "engines.node" of the npm package (test/package checks the two agree).
NODE_MINIMUM = (20, 19)
_NODE_TEXT = f"Node.js {NODE_MINIMUM[0]}.{NODE_MINIMUM[1]} or newer"
_RESTART = "then restart the kernel"


class Found:
    """The command line that starts the Node CLI (``argv``), or why there is none (``problem``)."""

    def __init__(self, argv=None, problem=None):
        self.argv = argv
        self.problem = problem


def _path(env):
    return env.get("PATH", os.defpath)


def _interpreter(executable):
    """The program a ``#!`` script names (``node`` for ``#!/usr/bin/env node``), else None."""
    try:
        with open(executable, "rb") as f:
            first = f.readline(256)
    except OSError:
        return None
    if not first.startswith(b"#!"):
        return None
    words = first[2:].decode("utf-8", "replace").split()
    if not words:
        return None
    if os.path.basename(words[0]) == "env":
        rest = [w for w in words[1:] if not w.startswith("-")]
        return rest[0] if rest else None
    return words[0]


def _node_version(node):
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.match(r"v(\d+)\.(\d+)", out.stdout.strip())
    return (int(m.group(1)), int(m.group(2))) if m else None


def _check_node(argv, env):
    """A problem sentence when the Node.js that ``argv`` needs is missing or too old."""
    node = next(
        (p for p in (argv[0], _interpreter(argv[0])) if p and os.path.basename(p).startswith("node")),
        None,
    )
    if node is None:
        return None  # a native wrapper or a shell script: it finds Node itself
    found = shutil.which(node, path=_path(env))
    if found is None:
        return (
            f"Node.js was not found: {argv[0]} runs with `{node}`, which is not on the PATH "
            f"the kernel was started with ({_path(env)}). Install {_NODE_TEXT}, or put its "
            f"folder on that PATH, {_RESTART}."
        )
    have = _node_version(found)
    if have is not None and have < NODE_MINIMUM:
        return (
            f"{found} is Node.js {have[0]}.{have[1]}; splatbook needs {_NODE_TEXT}. "
            f"Install a newer Node.js, {_RESTART}."
        )
    return None


def find_command(env=None):
    """Where the Node CLI is, as a ``Found``."""
    env = os.environ if env is None else env
    configured = env.get(ENV_VAR, "").strip()
    if configured:
        argv = shlex.split(configured)
        exe = shutil.which(argv[0], path=_path(env))
        if exe is None:
            return Found(
                problem=f"{ENV_VAR}={configured}: {argv[0]} is not an executable file. Point it "
                f"at the `splatbook` command of the npm package, {_RESTART}."
            )
    else:
        exe = shutil.which(NPM_PACKAGE, path=_path(env))
        if exe is None:
            return Found(
                problem=f"The splatbook kernel runs on Node.js, from the npm package "
                f"`{NPM_PACKAGE}`, and no `{NPM_PACKAGE}` command is on the PATH the kernel "
                f"was started with ({_path(env)}). Install it with `npm install -g "
                f"{NPM_PACKAGE}` ({_NODE_TEXT}), or set {ENV_VAR} to its `splatbook` "
                f"command, {_RESTART}."
            )
        argv = [NPM_PACKAGE]
    argv = [os.path.abspath(exe)] + argv[1:]
    problem = _check_node(argv, env)
    return Found(argv=None if problem else argv, problem=problem)


_cache = {}
_CACHE_SECS = 30.0


def node_version(env=None):
    """``{"command": [...], "version": "x.y.z"}`` of the Node CLI, or ``{"problem": ...}``.

    Runs ``splatbook --version`` (kept for 30 s, keyed by the command and ``PATH``, so a panel
    that polls does not start Node each time and an install is noticed soon)."""
    env = os.environ if env is None else env
    key = (env.get(ENV_VAR, ""), _path(env))
    hit = _cache.get(key)
    if hit and time.monotonic() - hit[0] < _CACHE_SECS:
        return hit[1]
    found = find_command(env)
    if found.problem:
        result = {"command": None, "version": None, "problem": found.problem}
    else:
        result = _run_version(found.argv, env)
    _cache[key] = (time.monotonic(), result)
    return result


def _run_version(argv, env):
    try:
        out = subprocess.run(
            argv + ["--version"], capture_output=True, text=True, timeout=60, env=dict(env)
        )
    except (OSError, subprocess.SubprocessError) as e:
        return {"command": argv, "version": None, "problem": f"{shlex.join(argv)} --version: {e}"}
    text = out.stdout.strip()
    if out.returncode != 0 or not re.match(r"^\d+\.\d+\.\d+", text):
        tail = (out.stderr or out.stdout).strip().splitlines()[-1:] or ["no output"]
        return {
            "command": argv,
            "version": None,
            "problem": f"{shlex.join(argv)} --version failed (exit {out.returncode}): {tail[0]}",
        }
    return {"command": argv, "version": text, "problem": None}
