"""kitgen: print-ready Hour of Code event kits for every country and language."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kitgen")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
