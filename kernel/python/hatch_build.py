"""Hatch build hook: the wheel's shared data (files installed under the environment's prefix).

Only a standard wheel carries them; an editable install (a clone's developer mode) gets the
Python package alone, and `splatbook install` writes the kernelspec, lab extension and server
config into the scope it is given (so a developer's `--user` install is not shadowed by a second
kernelspec in the environment).
"""

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

LAB = "share/jupyter/labextensions/splatbook-labextension"
KERNEL = "share/jupyter/kernels/splatbook"

# Source (relative to the project root) -> destination (relative to the install prefix).
SHARED_DATA = {
    "labextension/splatbook_labextension": LAB,
    "install.json": f"{LAB}/install.json",
    "kernel/kernel.json": f"{KERNEL}/kernel.json",
    "kernel/logo-32x32.png": f"{KERNEL}/logo-32x32.png",
    "kernel/logo-64x64.png": f"{KERNEL}/logo-64x64.png",
    "kernel/python/jupyter-config/splatbook_jupyter.json": "etc/jupyter/jupyter_server_config.d/splatbook_jupyter.json",
}


class SharedDataHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version, build_data):
        if self.target_name == "wheel" and version == "standard":
            build_data["shared_data"].update(SHARED_DATA)
