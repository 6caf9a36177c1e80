"""A tiny in-tree PEP 517 backend, so installing needs nothing beyond the stdlib (the venv has
no ``wheel`` package and installs may be offline). It builds a pure-Python wheel of the packages
beside it (``splatbook_papermill``, ``splatbook_server``) with the entry points declared in
pyproject.toml."""

import base64
import hashlib
import os
import zipfile

try:
    import tomllib
except ImportError:  # Python < 3.11
    tomllib = None

_HERE = os.path.dirname(os.path.abspath(__file__))
_PACKAGES = ("splatbook_papermill", "splatbook_server")


def _project():
    with open(os.path.join(_HERE, "pyproject.toml"), "rb") as f:
        if tomllib is None:
            raise RuntimeError("Python 3.11+ is needed to build splatbook-papermill")
        return tomllib.load(f)["project"]


def _metadata(project):
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {project['name']}",
        f"Version: {project['version']}",
        f"Summary: {project.get('description', '')}",
        f"Requires-Python: {project.get('requires-python', '>=3.8')}",
    ]
    return "\n".join(lines) + "\n"


def _entry_points(project):
    out = []
    for group, entries in project.get("entry-points", {}).items():
        out.append(f"[{group}]")
        out.extend(f"{name} = {target}" for name, target in entries.items())
        out.append("")
    return "\n".join(out)


def _record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    project = _project()
    dist = project["name"].replace("-", "_")
    version = project["version"]
    info = f"{dist}-{version}.dist-info"
    files = {}
    for package in _PACKAGES:
        pkg_dir = os.path.join(_HERE, package)
        for name in sorted(os.listdir(pkg_dir)):
            if name.endswith(".py"):
                with open(os.path.join(pkg_dir, name), "rb") as f:
                    files[f"{package}/{name}"] = f.read()
    files[f"{info}/METADATA"] = _metadata(project).encode()
    files[f"{info}/WHEEL"] = (
        "Wheel-Version: 1.0\nGenerator: splatbook_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    ).encode()
    files[f"{info}/entry_points.txt"] = _entry_points(project).encode()
    record = [_record_line(n, d) for n, d in files.items()] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    wheel_name = f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel_name), "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return wheel_name
