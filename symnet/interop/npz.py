"""symnet's ``.npz`` weights format: ``symnet.from_npz(path)``.

A NumPy ``.npz`` archive (``numpy.savez``) with, for a network of L hidden
layers:

* ``W1, W2, ..., W{L+1}``: the weight matrices, ``W{l}`` of shape
  (width of layer l) x (width of layer l-1) -- symnet's orientation,
  ``z_l = W_l u_{l-1} + b_l`` (torch's ``Linear.weight``, the transpose of
  scikit-learn's ``coefs_``);
* ``b1, ..., b{L+1}`` (optional, zeros when absent): the bias vectors;
* ``activations`` (optional, all ``identity`` when absent): an array of L
  strings naming each hidden layer's activation (``identity``, ``relu``,
  ``leaky_relu``, ``tanh``, ``sigmoid``, ...; see ``symnet.NAMED_ACTIVATIONS``).

Weights are float or integer arrays; each float is its exact binary
rational.  The archive is read with ``allow_pickle=False``: no object
arrays, nothing executed.  Other keys are refused (no silent skipping).
"""

from __future__ import annotations

import os
import re
from typing import Any

from ..errors import InvalidArgument, InvalidType, ShapeError
from ..model.activations import activation
from ..model.network import Network
from ._common import ChainBuilder

__all__ = ["from_npz", "save_npz"]

_KEY = re.compile(r"([Wb])([1-9][0-9]{0,3})")


def from_npz(path: str | os.PathLike[str]) -> Network:
    """The exact Network stored in a ``.npz`` weights archive (format in the module docstring)."""
    import numpy as np

    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise InvalidArgument(f"{os.fspath(path)}: not a readable .npz archive ({exc})") from None
    if not hasattr(archive, "files"):
        raise InvalidArgument(f"{os.fspath(path)}: a single array, not a .npz archive of W1, b1, ...")
    with archive:
        weights: dict[int, Any] = {}
        biases: dict[int, Any] = {}
        names = None
        for key in archive.files:
            m = _KEY.fullmatch(key)
            try:
                value = archive[key]
            except ValueError as exc:  # object arrays need pickle: refused
                raise InvalidArgument(
                    f"{os.fspath(path)}: array {key!r} cannot be read without pickle ({exc})"
                ) from None
            if m:
                (weights if m.group(1) == "W" else biases)[int(m.group(2))] = value
            elif key == "activations":
                names = value
            else:
                raise InvalidArgument(
                    f"{os.fspath(path)}: unknown array {key!r}; expected W1, b1, W2, ... and activations"
                )
    if not weights:
        raise InvalidArgument(f"{os.fspath(path)}: no weight matrices (W1, W2, ...)")
    count = max(weights)
    missing = [f"W{i}" for i in range(1, count + 1) if i not in weights]
    if missing:
        raise InvalidArgument(f"{os.fspath(path)}: missing {', '.join(missing)}")
    extra = sorted(set(biases) - set(weights))
    if extra:
        raise InvalidArgument(f"{os.fspath(path)}: b{extra[0]} has no W{extra[0]}")
    if names is None:
        acts = ["identity"] * (count - 1)
    else:
        if names.dtype.kind != "U" or names.ndim != 1:
            raise InvalidType(f"{os.fspath(path)}: activations must be a 1-D array of strings, got dtype {names.dtype}")
        acts = [str(a) for a in names.tolist()]
        if len(acts) != count - 1:
            raise ShapeError(f"{os.fspath(path)}: {len(acts)} activations for {count - 1} hidden layers")
    chain = ChainBuilder(os.path.basename(os.fspath(path)))
    for l in range(1, count + 1):
        w = weights[l]
        if w.ndim != 2:
            raise ShapeError(f"{os.fspath(path)}: W{l} has shape {list(w.shape)}; it must be 2-D")
        chain.linear(w, biases.get(l), f"W{l}")
        if l < count:
            chain.activation(activation(acts[l - 1]), f"layer {l}")
    return chain.network()


def save_npz(net: Network, path: str | os.PathLike[str]) -> None:
    """Write a numeric network in the ``.npz`` format (weights as float64; exact only if they are floats)."""
    import numpy as np

    if not net.is_numeric:
        raise InvalidArgument("save_npz writes numeric networks; this one has symbols")
    arrays: dict[str, Any] = {}
    for l, layer in enumerate(net.layers, start=1):
        arrays[f"W{l}"] = np.array(
            [[float(v) for v in layer.weights.row(i)] for i in range(layer.width)], dtype=np.float64
        )
        arrays[f"b{l}"] = np.array([float(v) for v in layer.biases], dtype=np.float64)
    names = []
    for act in net.activations:
        if act.name is None:
            raise InvalidArgument(f"the activation {act.function} has no name the .npz format can store")
        names.append(act.name)
    if names:
        arrays["activations"] = np.array(names)
    np.savez(path, **arrays)
