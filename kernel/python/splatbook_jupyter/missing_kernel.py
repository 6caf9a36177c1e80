"""The kernel the launcher starts when the Node kernel cannot run: every cell fails with one
error, ``SplatbookKernelUnavailable``, whose message names what is missing and the command that
installs it (the same sentence is the kernel's banner and goes to the server log)."""

import sys

from ipykernel.kernelapp import IPKernelApp
from ipykernel.kernelbase import Kernel

from ._version import __version__

ERROR_NAME = "SplatbookKernelUnavailable"


class MissingNodeKernel(Kernel):
    implementation = "splatbook-launcher"
    implementation_version = __version__
    language_info = {
        "name": "typescript",
        "mimetype": "text/typescript",
        "file_extension": ".ts",
    }
    problem = "the splatbook kernel is unavailable"

    @property
    def banner(self):
        return self.problem

    def do_execute(
        self, code, silent, store_history=True, user_expressions=None, allow_stdin=False, **kwargs
    ):
        content = {"ename": ERROR_NAME, "evalue": self.problem, "traceback": [f"{ERROR_NAME}: {self.problem}"]}
        if not silent:
            self.send_response(self.iopub_socket, "error", content)
        return {"status": "error", "execution_count": self.execution_count, **content}


def serve(connection_file, problem):
    """Runs the kernel on ``connection_file`` until Jupyter shuts it down."""
    sys.stderr.write(f"splatbook kernel unavailable: {problem}\n")
    MissingNodeKernel.problem = problem
    IPKernelApp.launch_instance(argv=["-f", connection_file], kernel_class=MissingNodeKernel)
