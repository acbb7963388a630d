"""The installed version (the package's metadata): shown by /health, the API description and the
pages' footer, so an operator can tell which build answers."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("homecare-planner")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
