"""The oracle for ``symnet-generic-certificate`` documents (networks of symbolic size).

The claim ``output = W* x + b*`` must hold for every positive value of the
sizes: it is tested at random small sizes (1..3 per size symbol) with random
rational matrices for every atom, exactly.  ``W*`` and ``b*`` are sums of
scalar multiples of products of atoms (``W_l``, ``b_l``, ``x``, ``1[n]``);
they must not mention the input ``x``.
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

from .grammar import Malformed, Overflow, Resample, Table, Undecided, expect, is_int, keys, name
from .oracle import _RESERVED_SIZES, _SIZE_RE, GENERIC, Verdict, _version, name_matches

_RULES = (
    "read_output_layer",
    "substitute_layer",
    "multiply_augmented",
    "apply_output_row",
    "conclude_linear_form",
    "factor_rank",
)
Size = Any  # int or str


def _size(v: Any, known: set[str] | None) -> Size:
    if isinstance(v, str):
        expect(_SIZE_RE.fullmatch(v) is not None and v not in _RESERVED_SIZES, f"{v[:20]!r} is not a size name", "size")
        if known is not None:
            expect(v in known, f"size {v!r} is not one of the network's sizes", "size")
        return v
    expect(is_int(v) and v >= 1, f"size {str(v)[:20]} is not a positive integer", "size")
    return v


class _Lin:
    def __init__(self, shape: tuple[Size, Size], terms: list[tuple[list[str], int]]) -> None:
        self.shape = shape
        self.terms = terms


def judge_generic(data: dict[str, Any], rng: random.Random) -> Verdict:
    keys(data, {"format", "version", "expressions", "network", "steps", "claim"}, set(), "the document")
    _version(data)
    t = Table(data["expressions"])
    nd = keys(data["network"], {"sizes", "activations"}, set(), "network")
    expect(isinstance(nd["sizes"], list) and len(nd["sizes"]) >= 2, "network.sizes", "json-type")
    sizes = [_size(v, None) for v in nd["sizes"]]
    names = {s for s in sizes if isinstance(s, str)}
    L = len(sizes) - 2
    acts_data = nd["activations"]
    expect(isinstance(acts_data, list) and len(acts_data) == L, "one activation per hidden layer", "shape")
    acts = []
    params: set[str] = set()
    mismatch = ""
    for i, ad in enumerate(acts_data):
        keys(ad, {"name", "variable", "expr"}, set(), f"activations[{i}]")
        expect(ad["name"] is None or isinstance(ad["name"], str), "activation name", "json-type")
        var = name(ad["variable"], f"activations[{i}].variable")
        expr = t.ref(ad["expr"], f"activations[{i}].expr")
        params |= t.free(expr) - {var}
        if not name_matches(t, ad["name"], var, expr) and not mismatch:
            mismatch = f"activations[{i}]: named {str(ad['name'])[:30]!r} but the formula differs"
        acts.append((var, expr))
    # atoms and their shapes
    shapes: dict[str, tuple[Size, Size]] = {"x": (sizes[0], 1)}
    for l in range(1, L + 2):
        shapes[f"W_{l}"] = (sizes[l], sizes[l - 1])
        shapes[f"b_{l}"] = (sizes[l], 1)

    def atom_shape(a: Any) -> tuple[Size, Size]:
        expect(isinstance(a, str), "an atom name is not a string", "json-type")
        if a in shapes:
            return shapes[a]
        expect(a.startswith("1[") and a.endswith("]"), f"unknown matrix {a[:30]!r}", "atom")
        inner = a[2:-1]
        n: Size = int(inner) if inner.isdigit() and inner[0] != "0" else _size(inner, names)
        expect(not isinstance(n, int) or n >= 1, "1[0]", "atom")
        return (n, 1)

    def lin(d: Any, where: str) -> _Lin:
        keys(d, {"shape", "terms"}, set(), where)
        expect(isinstance(d["shape"], list) and len(d["shape"]) == 2, f"{where}.shape", "json-type")
        shape = (_size(d["shape"][0], names), _size(d["shape"][1], names))
        expect(isinstance(d["terms"], list), f"{where}.terms", "json-type")
        terms = []
        for term in d["terms"]:
            expect(
                isinstance(term, list) and len(term) == 2 and isinstance(term[0], list) and term[0],
                f"{where}: a term",
                "json-type",
            )
            word = term[0]
            rows, cols = atom_shape(word[0])
            for a in word[1:]:
                r2, c2 = atom_shape(a)
                expect(r2 == cols, f"{where}: the product {word[:4]} does not fit", "shape")
                cols = c2
            expect((rows, cols) == shape, f"{where}: a term of shape {(rows, cols)} in a sum of shape {shape}", "shape")
            coeff = t.ref(term[1], f"{where}: a coefficient")
            expect(t.poly[coeff], f"{where}: a coefficient is not a polynomial over QQ", "nonpolynomial-claim")
            expect(t.free(coeff) <= params, f"{where}: a coefficient mentions an undeclared symbol", "claim-symbol")
            terms.append((list(word), coeff))
        return _Lin(shape, terms)

    def value(d: Any, where: str) -> None:
        expect(isinstance(d, dict) and len(d) == 1, f"{where}: a step value has one kind", "json-type")
        ((kind, body),) = d.items()
        expect(kind in ("aug", "outrow", "pair", "sizes"), f"{where}: unknown value kind", "step")
        if kind == "sizes":
            expect(isinstance(body, list), f"{where}: sizes", "json-type")
            for v in body:
                _size(v, names)
            return
        expect(isinstance(body, list) and len(body) == 2, f"{where}: two matrix expressions", "json-type")
        lin(body[0], where)
        lin(body[1], where)

    expect(isinstance(data["steps"], list), "steps is not a list", "json-type")
    for i, sd in enumerate(data["steps"]):
        keys(sd, {"rule", "layer", "value"}, set(), f"steps[{i}]")
        expect(sd["rule"] in _RULES and is_int(sd["layer"]), f"steps[{i}]: rule or layer", "step")
        value(sd["value"], f"steps[{i}]")
    cd = keys(data["claim"], {"matrix", "offset"}, set(), "claim")
    wm, bo = lin(cd["matrix"], "claim.matrix"), lin(cd["offset"], "claim.offset")
    q, p = sizes[-1], sizes[0]
    expect(wm.shape == (q, p) and bo.shape == (q, 1), "the claim's W*, b* have the wrong shapes", "shape")
    for part in (wm, bo):
        for word, _c in part.terms:
            expect("x" not in word, "the claim mentions the input x", "claim-input")
    # truth: random sizes, random matrices
    for _trial in range(3):
        dims = {n: rng.randint(1, 3) for n in sorted(names)}

        def dim(s: Size, dims: dict[str, int] = dims) -> int:
            return s if isinstance(s, int) else dims[s]

        if any(dim(s) > 6 for s in sizes):
            raise Undecided("sizes past the oracle's limit")

        def rnd() -> Fraction:
            return Fraction(rng.randint(-9, 9), rng.randint(1, 4))

        mats = {a: [[rnd() for _ in range(dim(c))] for _ in range(dim(r))] for a, (r, c) in shapes.items()}
        env = {n: rnd() for n in sorted(params)}
        try:
            out = _forward(t, sizes, acts, mats, env, dim)
            claim = _add(_eval_lin(t, wm, mats, env, dim, atom_shape), mats["x"])
            claim = [
                [a + b for a, b in zip(r1, r2, strict=False)]
                for r1, r2 in zip(claim, _eval_lin(t, bo, mats, env, dim, atom_shape), strict=False)
            ]
        except Resample:
            continue
        except Overflow:
            raise Undecided("numbers past the oracle's size limit") from None
        if out != claim:
            return Verdict("false", GENERIC, "claim", f"at sizes {dims} the network and the claim differ", mismatch)
    return Verdict("true", GENERIC, name_mismatch=mismatch)


def _matmul(a: list[list[Fraction]], b: list[list[Fraction]]) -> list[list[Fraction]]:
    return [
        [sum((a[i][k] * b[k][j] for k in range(len(b))), Fraction(0)) for j in range(len(b[0]))] for i in range(len(a))
    ]


def _add(w: list[list[Fraction]], x: list[list[Fraction]]) -> list[list[Fraction]]:
    return _matmul(w, x)


def _eval_lin(
    t: Table, x: _Lin, mats: dict[str, Any], env: dict[str, Any], dim: Any, atom_shape: Any
) -> list[list[Fraction]]:
    rows, cols = dim(x.shape[0]), dim(x.shape[1])
    total = [[Fraction(0)] * cols for _ in range(rows)]
    for word, coeff in x.terms:
        c = t.evaluate(coeff, env)
        prod = None
        for a in word:
            m = mats.get(a)
            if m is None:
                r, _ = atom_shape(a)
                m = [[Fraction(1)] for _ in range(dim(r))]
            prod = m if prod is None else _matmul(prod, m)
        assert prod is not None
        total = [[total[i][j] + c * prod[i][j] for j in range(cols)] for i in range(rows)]
    return total


def _forward(
    t: Table, sizes: list[Size], acts: list[tuple[str, int]], mats: dict[str, Any], env: dict[str, Any], dim: Any
) -> list[list[Fraction]]:
    u = mats["x"]
    L = len(sizes) - 2
    for l in range(1, L + 2):
        z = _matmul(mats[f"W_{l}"], u)
        z = [[z[i][0] + mats[f"b_{l}"][i][0]] for i in range(len(z))]
        if l <= L:
            var, expr = acts[l - 1]
            if t.nodes[expr] != ("sym", var):
                z = [[t.evaluate(expr, {**env, var: v[0]})] for v in z]
        u = z
    return u


__all__ = ["Malformed", "judge_generic"]
