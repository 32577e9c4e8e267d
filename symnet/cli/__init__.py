"""The ``symnet`` command line (also ``python -m symnet``)."""

from .main import build_parser, main

__all__ = ["build_parser", "main"]
