"""The rendering gallery: one example of every document kind symnet writes, in LaTeX, Markdown and text.

Used by tests/test_render_gallery.py (every LaTeX document compiles with no
overfull line) and docs/make_gallery.py (the first page of each as a PNG for
docs/gallery.md).  Every example is small and fast: the whole gallery builds in
a few seconds and compiles in well under a minute.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import sympy

import symnet
from symnet import render
from symnet.render._latex import PREAMBLE
from symnet.search.generic import generic_dense, prove_generic

__all__ = ["GALLERY", "Example", "regions_net"]

t = sympy.Symbol("t")


@dataclass(frozen=True)
class Example:
    """One gallery entry: what it shows, and how to make the object and each of its three renderings."""

    title: str
    make: Callable[[], Any]
    latex: Callable[[Any], str]
    markdown: Callable[[Any], str]
    text: Callable[[Any], str]


def _float32(sizes: list[int], activation: str = "identity", seed: int = 0) -> symnet.Network:
    """A network with float32 weights as training leaves them (scaled normal draws)."""
    rng = np.random.default_rng(seed)
    ws = [(rng.standard_normal((sizes[i + 1], sizes[i])) / np.sqrt(sizes[i])).astype(np.float32)
          for i in range(len(sizes) - 1)]
    bs = [(0.3 * rng.standard_normal(sizes[i + 1])).astype(np.float32) for i in range(len(sizes) - 1)]
    return symnet.Network.from_matrices(ws, bs, activation)


def regions_net(hidden: list[int], seed: int = 0) -> symnet.Network:
    """A 2-input ReLU network with float32 weights (2->[6]->1: 18 regions on [-1,1]^2; 2->[12,12]->1: 178)."""
    return _float32([2, *hidden, 1], "relu", seed)


def _batchnorm() -> symnet.Network:
    """Linear(2,3) -> BatchNorm1d(3) -> Linear(3,1) folded: weights are long dyadic rationals (float64 products)."""
    rng = np.random.default_rng(7)
    w1 = rng.standard_normal((3, 2)).astype(np.float32).astype(np.float64)
    b1 = rng.standard_normal(3).astype(np.float32).astype(np.float64)
    gamma, beta = rng.uniform(0.5, 1.5, 3), rng.standard_normal(3) * 0.1
    mean, var = rng.standard_normal(3) * 0.2, rng.uniform(0.5, 2.0, 3)
    scale = gamma / np.sqrt(var + 1e-5)
    folded_w = scale[:, None] * w1
    folded_b = scale * (b1 - mean) + beta
    w2 = rng.standard_normal((1, 3))
    b2 = rng.standard_normal(1)
    return symnet.Network.from_matrices([folded_w, w2], [folded_b, b2])


def _counterexample(net: symnet.Network) -> symnet.Counterexample:
    try:
        symnet.prove(net)
    except symnet.NotLinearError as exc:
        assert exc.counterexample is not None
        return exc.counterexample
    raise AssertionError("the network was proved linear")


def _document(math: str) -> str:
    return PREAMBLE + "\\begin{document}\n\n\\[\n" + math + "\n\\]\n\n\\end{document}\n"


def _proof(make: Callable[[], Any], title: str, **options: Any) -> Example:
    return Example(
        title,
        lambda: symnet.prove(make(), expand=False),
        lambda p: render.to_latex(p, document=True, **options),
        lambda p: render.to_markdown(p, **options),
        lambda p: render.to_text(p, **options),
    )


def _own(make: Callable[[], Any], title: str, **latex_options: Any) -> Example:
    """An object with its own to_latex(document=True), to_markdown() and to_text()."""
    return Example(
        title,
        make,
        lambda o: o.to_latex(document=True, **latex_options),
        lambda o: o.to_markdown(**latex_options),
        lambda o: o.to_text(**latex_options),
    )


#: The gallery: a name (also the file stem) -> the example.
GALLERY: dict[str, Example] = {
    "linear": _proof(lambda: symnet.dense(3, [3]), "The blog post's network: 3 inputs, one hidden layer of 3"),
    "deep": _proof(lambda: symnet.dense(3, [3, 3]), "Two hidden layers of 3 (superscripted matrix entries)"),
    "numeric": _proof(lambda: _float32([3, 4, 2]), "A float32 network, decimals to 6 significant digits"),
    "batchnorm": _proof(_batchnorm, "Linear -> BatchNorm -> Linear folded (long dyadic rationals)"),
    "generic": _own(lambda: prove_generic(generic_dense("p", ["h"])), "Every size at once: p inputs, h hidden"),
    "refutation_relu": _own(lambda: _counterexample(symnet.dense(1, [1], activation="relu")), "A ReLU refutation"),
    "refutation_tanh": _own(lambda: _counterexample(symnet.dense(1, [1], activation="tanh")), "A tanh refutation"),
    "refutation_square": _own(
        lambda: _counterexample(symnet.dense(1, [1], activation="square")), "A square refutation"
    ),
    "degree": Example(
        "The degree of a square network",
        lambda: symnet.degree(symnet.dense(2, [2, 2], activation="square")),
        lambda d: _document(sympy.latex(d)),
        lambda d: d._repr_markdown_(),
        lambda d: d.to_text(),
    ),
    "regions_20": _own(
        lambda: symnet.regions(regions_net([6]), box=[(-1, 1), (-1, 1)]), "18 linear regions, all listed",
        max_regions=20,
    ),
    "regions_200": _own(
        lambda: symnet.regions(regions_net([12, 12]), box=[(-1, 1), (-1, 1)]),
        "178 linear regions of a 2->[12,12]->1 ReLU network, all listed", max_regions=200,
    ),
    "bound": _own(
        lambda: symnet.bound(regions_net([6]), box=[(-1, 1), (-1, 1)]), "Exact bounds of a ReLU network on a box"
    ),
    "piecewise": _own(
        lambda: symnet.prove(
            symnet.Network.from_matrices(
                [[[1], [-1]], [[Fraction(3, 2), Fraction(-3, 2)]]], [[0, 0], [Fraction(1, 3)]], activation="relu"
            )
        ),
        "A ReLU network that is affine everywhere: 3/2 relu(x) - 3/2 relu(-x) + 1/3",
    ),
}
