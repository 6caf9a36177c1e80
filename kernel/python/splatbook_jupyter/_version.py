"""The installed distribution's version: the npm package's, carried into the wheel's metadata
from the root package.json at build time (hatch-nodejs-version), so both packages share one."""

from importlib.metadata import PackageNotFoundError, version

DIST_NAME = "splatbook-jupyter"

try:
    __version__ = version(DIST_NAME)
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0.0.0"
