"""The installed version of nntricks (``"0+unknown"`` in a source tree that is not installed)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("nntricks")
except PackageNotFoundError:
    __version__ = "0+unknown"
