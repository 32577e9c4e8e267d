"""Typical user code, built from the docs' examples: ``mypy --strict`` must accept it as is.

tests/test_typing.py runs mypy on this file (the types, not the values, are
what it checks); the code also runs, as a smoke test of the same examples.
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import numpy as np
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import symnet
from symnet import codegen
from symnet import strategies as sst
from symnet.testing import assert_forward_matches


def tutorial() -> None:
    net = symnet.dense(3, [])
    first: sympy.Expr = net.output[0]
    proof = symnet.prove(net)
    matrix: sympy.ImmutableMatrix = proof.matrix
    offset: sympy.ImmutableMatrix = proof.offset
    assert proof.check()
    text: str = proof.to_text()
    print(first, matrix.shape, offset.shape, len(text))

    general = symnet.prove(symnet.dense("p", [3]))
    assert general.check()
    concrete = general.instantiate(p=2)
    seed = symnet.prove(symnet.dense(2, [3]))
    assert concrete.matrix == seed.matrix and concrete.offset == seed.offset

    report = symnet.crosscheck(seed, samples=30, seed=0)
    agree: bool = report.agree
    samples: int = report.samples
    print(agree, samples, str(report).splitlines()[0])

    deep = symnet.prove(symnet.dense(2, [2, 2], outputs=2))
    for step in deep.steps:
        print(step.rule)
    rows, cols = deep.matrix.shape
    print(rows, cols)


def refutations() -> None:
    result = symnet.decide(symnet.dense(2, [3], activation="relu"))
    assert result.check()
    if isinstance(result, symnet.Counterexample):
        u, v = result.points
        print(u, v, result.defect)
    try:
        symnet.prove(symnet.dense(2, [2], activation="tanh"))
    except symnet.NotLinearError as exc:
        cx = exc.counterexample
        if cx is not None:
            assert cx.check()
            print(cx.to_latex())
    nothing = symnet.refute(symnet.dense(2, [2]))
    print(nothing)


def library() -> None:
    proof = symnet.prove(symnet.dense(2, [2]))
    net = proof.network
    print(sympy.expand(net.output[0] - proof.as_expr()[0]))
    values = {w: k for k, w in enumerate(net.parameters, start=1)}
    print(proof.matrix.subs(values), proof.offset.subs(values))
    print(net.evaluate([1, 2], values))

    weights = [[[1, 2], [3, -1]], [[1, Fraction(1, 2)]]]
    biases = [[0, 1], [2]]
    numeric = symnet.prove(symnet.Network.from_matrices(weights, biases))
    print(numeric.matrix, numeric.offset)

    t, a, d = sympy.symbols("t a d")
    affine = symnet.prove(symnet.dense(1, [1], activation=sympy.Lambda(t, a * t + d)))
    print(affine.matrix)

    generic = symnet.prove(symnet.dense("p", ["h"]))
    claim: str = generic.claim_text()
    small = generic.instantiate(p=2, h=2)
    print(claim, small.matrix == proof.matrix, generic.size_symbols)

    again = symnet.Proof.from_json(proof.to_json())
    assert again.check() and again == proof
    data = json.loads(proof.to_json())
    data["claim"]["matrix"][0][0] = data["claim"]["matrix"][0][1]
    forged = symnet.Proof.from_json(json.dumps(data))
    try:
        forged.check()
    except symnet.CertificateError as exc:
        print(exc)


def printing_and_codegen() -> None:
    proof = symnet.prove(symnet.dense(2, [2]))
    latex: str = sympy.latex(proof)
    pretty: str = sympy.pretty(proof.network)
    f = proof.lambdify()
    out = f(1, 2, *range(len(proof.network.parameters)))
    source: str = proof.to_python()
    names: dict[sympy.Symbol, str] = codegen.identifiers(proof.network)
    print(latex, pretty, out, source, names, codegen.pycode(proof.offset[0]), codegen.ccode(proof.matrix[0, 0]))


def property_testing() -> None:
    report = symnet.crosscheck(symnet.dense(3, [3]), samples=30, seed=0)
    per_kind: dict[str, int] = report.samples_per_kind
    print(report.agree, per_kind)
    net = symnet.dense(2, [2])
    s = {w.name: w for w in net.parameters}
    wrong = ([[s["c_1"] * s["b_{1,1}"] + s["c_2"] * s["b_{2,1}"], s["c_1"] * s["b_{1,2}"]]], [s["c_0"]])
    bad = symnet.crosscheck(net, claim=wrong, kinds=("int",))
    if bad.counterexample is not None:
        print(bad.counterexample.to_text())

    @settings(max_examples=5)
    @given(sst.networks(weights="exact"), st.data())
    def test_evaluate_is_deterministic(net: symnet.Network, data: st.DataObject) -> None:
        x = data.draw(sst.inputs(net))
        assert net.evaluate(x) == net.evaluate(x)

    test_evaluate_is_deterministic()

    def mlp(weights: list[Any], biases: list[Any], x: Any) -> Any:
        h = x
        for w, b in zip(weights[:-1], biases[:-1], strict=True):
            h = w @ h + b
        return weights[-1] @ h + biases[-1]

    assert_forward_matches(mlp, symnet.dense(3, [4, 2], outputs=2), convert=np.array)


def analysis() -> None:
    deg = symnet.degree(symnet.dense(2, [2], activation="square"))
    top: int | None = deg.degree
    net = symnet.Network.from_matrices([[[1, -1], [2, 1]], [[1, 1]]], [[0, 1], [0]], "relu")
    cells = symnet.regions(net)
    print(top, len(cells), cells.is_affine, [r.interior_point for r in cells])
    rank = symnet.rank_bound(symnet.Network.from_matrices([[[1, 2], [3, 4]], [[1, 1]]], None))
    print(rank.rank, rank.bound)


if __name__ == "__main__":
    tutorial()
    refutations()
    library()
    printing_and_codegen()
    property_testing()
    analysis()
