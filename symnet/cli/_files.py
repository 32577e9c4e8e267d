"""Reading the files the command line is given: one size cap, one message."""

from __future__ import annotations

from ..errors import InvalidArgument

__all__ = ["MAX_DOCUMENT_BYTES", "read_document"]

#: Largest file any ``symnet`` sub-command reads (certificates, networks, documents).
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024


def read_document(path: str) -> bytes:
    """The bytes of ``path``; InvalidArgument (exit 2) past :data:`MAX_DOCUMENT_BYTES`, OSError as open raises it."""
    with open(path, "rb") as f:
        data = f.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InvalidArgument(f"{path}: larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB")
    return data
