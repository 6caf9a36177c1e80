"""``python -m splatbook_jupyter.launcher CONNECTION_FILE``: the ``splatbook`` kernelspec's argv.

Replaces itself (exec) with ``splatbook kernel CONNECTION_FILE``, so the Node kernel receives
Jupyter's interrupt signals directly. When the npm package or Node.js is missing it starts a
small Python kernel instead that answers every cell with what is missing and how to install it,
so the notebook says so rather than showing a kernel that died.
"""

import os
import sys

from .command import find_command


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: python -m splatbook_jupyter.launcher CONNECTION_FILE\n")
        return 2
    found = find_command()
    if found.problem is None:
        command = found.argv + ["kernel", args[0]]
        os.execv(command[0], command)
    from .missing_kernel import serve

    serve(args[0], found.problem)
    return 0


if __name__ == "__main__":
    sys.exit(main())
