"""darkpool: abandoned-cart discounts, seen from the shopper's side."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("darkpool")  # one source: pyproject.toml's [project] version
except PackageNotFoundError:  # a source tree run without `pip install -e .`
    __version__ = "0+unknown"
