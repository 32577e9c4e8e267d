"""Reading the files the command line is given: one size cap, one message, one model loader."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import Any

from ..errors import InvalidArgument
from ..interop._common import BATCHNORM_MODES
from ..interop.npz import from_npz
from ..interop.onnx import from_onnx, inline_external_data, load_model
from ..model.network import Network

__all__ = ["MAX_DOCUMENT_BYTES", "add_model_options", "load_model_file", "model_options", "read_document"]

#: Largest file any ``symnet`` sub-command reads (certificates, networks, documents).
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024


def read_document(path: str) -> bytes:
    """The bytes of ``path``; InvalidArgument (exit 2) past :data:`MAX_DOCUMENT_BYTES`, OSError as open raises it."""
    with open(path, "rb") as f:
        data = f.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InvalidArgument(f"{path}: larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB")
    return data


def add_model_options(p: argparse.ArgumentParser) -> None:
    """``--external-data-dir DIR`` and ``--batchnorm MODE``: how a model file is imported."""
    p.add_argument(
        "--external-data-dir",
        metavar="DIR",
        default=None,
        help="read an ONNX model's external tensor data from files inside DIR (usually the model's own directory); "
        "without it a model with external data is refused",
    )
    p.add_argument(
        "--batchnorm",
        choices=BATCHNORM_MODES,
        default="float",
        help="fold an ONNX BatchNormalization with the scale the runtime computes in floats, at its exact "
        "binary value (float, the default), or with the exact real gamma/sqrt(var + eps) (exact: radicals)",
    )


def model_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of :func:`load_model_file` that the parsed options give."""
    return {
        "external_data_dir": getattr(args, "external_data_dir", None),
        "batchnorm": getattr(args, "batchnorm", "float"),
    }


def load_model_file(
    path: str,
    progress: Callable[[str], None] | None = None,
    *,
    external_data_dir: str | None = None,
    batchnorm: str = "float",
) -> tuple[Network, Any]:
    """The exact Network of a model file (``.onnx`` or ``.npz``), and the original model (ONNX) or None."""
    ext = os.path.splitext(path)[1].lower()
    if ext not in (".onnx", ".npz"):
        raise InvalidArgument(f"{path}: unknown model format {ext or '(no extension)'!r}; give a .onnx or .npz file")
    if progress:
        progress(f"importing {path}")
    try:
        if ext == ".npz":
            return from_npz(path), None
        model = load_model(path)
        if external_data_dir is not None:  # the original runs under onnx.reference later (symnet collapse's report)
            model = inline_external_data(model, external_data_dir)
        return from_onnx(model, external_data_dir=external_data_dir, batchnorm=batchnorm), model
    except ImportError as exc:
        raise InvalidArgument(str(exc)) from None
