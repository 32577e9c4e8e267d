"""Hypothesis strategies for regions documents (format ``symnet.regions``), as JSON text.

``regions_documents()`` draws one of:

* ``real`` -- a document symnet's own search wrote for a small random network
  (1-3 inputs, 1-2 hidden layers of 1-3 relu or leaky-relu units, 1-2 outputs,
  small rational weights) over a box with rational ends, the whole space or a
  polytope, with no claim, the ``bounds`` claim of :func:`symnet.bound`, or
  an ``affine`` claim (:func:`symnet.decide` on a network affine everywhere,
  or the first region's form stated for the whole domain) -- left as written;
* ``tampered`` -- a real document with one to three edits: a region dropped or
  duplicated, an inequality entry, a form's slope or intercept, an interior
  point or a facet witness moved by 2^-k, a facet row or neighbour edited, a
  pattern bit flipped, the unit count changed (by one, or to 10,000), a bound moved past (or onto)
  the true extreme, the attaining point moved, the box widened or narrowed,
  the domain swapped, the activation replaced (leaky relu, abs, min, a shifted
  kink, tanh; named as before or truly), a weight changed after the regions
  were computed, numbers made huge (an inequality scaled by 10^k, 2000-digit
  numerators), input names with LaTeX/Coq escapes, hundreds or thousands of copies of the regions;
* ``junk`` -- a real document with a leaf or a whole field replaced by hostile
  JSON (wrong types, missing or unknown keys, empty lists, zero denominators,
  deep nesting).

The pool of real documents is built once, deterministically.
"""

from __future__ import annotations

import copy
import json
import random
from fractions import Fraction
from functools import lru_cache
from typing import Any

from hypothesis import strategies as st

__all__ = ["MUTATIONS", "junk_documents", "real_documents", "regions_documents", "regions_pool", "tampered_documents"]

FORMAT = "symnet.regions"
Spec = tuple[list[list[list[Fraction]]], list[list[Fraction]], str]  # weights, biases per layer, activation


def enc(v: Fraction) -> str:
    return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"


def dec(text: str) -> Fraction:
    return Fraction(text)


def _num(rng: random.Random) -> Fraction:
    return Fraction(rng.randint(-4, 4), rng.choice([1, 1, 1, 2, 3]))


def _random_spec(rng: random.Random) -> Spec:
    p = rng.randint(1, 3)
    widths = [p, *(rng.randint(2, 3) for _ in range(rng.choice([1, 1, 2]))), rng.randint(1, 2)]
    ws = [[[_num(rng) for _ in range(a)] for _ in range(b)] for a, b in zip(widths, widths[1:], strict=False)]
    bs = [[_num(rng) for _ in range(b)] for b in widths[1:]]
    return ws, bs, rng.choice(["relu", "relu", "relu", "leaky_relu"])


def _affine_spec(rng: random.Random) -> Spec:
    """A relu network affine everywhere: 2 relu(x_1) - 2 relu(-x_1) + 0 relu(...) + c, and the like."""
    p = rng.randint(1, 2)
    a, c = Fraction(rng.randint(-3, 3)), _num(rng)
    first = [[Fraction(1)] + [Fraction(0)] * (p - 1), [Fraction(-1)] + [Fraction(0)] * (p - 1), [_num(rng)] * p]
    return [first, [[a, -a, Fraction(0)]]], [[Fraction(0), Fraction(0), _num(rng)], [c]], "relu"


def _domain(rng: random.Random, p: int) -> dict[str, Any]:
    kind = rng.choice(["box", "box", "box", "space", "polytope"])
    box = []
    for _ in range(p):
        lo = Fraction(-rng.randint(1, 12), rng.choice([1, 2, 3]))
        box.append((lo, Fraction(rng.randint(-1, 12), rng.choice([2, 3, 4]))))
    if kind == "box":
        return {"box": box}
    if kind == "space":
        return {}
    A = [[Fraction(int(i == j)) for j in range(p)] for i in range(p)] + [
        [-Fraction(int(i == j)) for j in range(p)] for i in range(p)
    ]
    b = [hi for _, hi in box] + [-lo for lo, _ in box]
    A.append([_num(rng) for _ in range(p)])
    b.append(sum((a * (lo + hi) / 2 for a, (lo, hi) in zip(A[-1], box, strict=True)), Fraction(1)))
    return {"polytope": (A, b)}


@lru_cache(maxsize=4)
def regions_pool(size: int = 48) -> tuple[str, ...]:
    """``size`` real regions documents (symnet's own search), built once from a fixed seed."""
    import symnet

    rng = random.Random(20261207)
    out: list[str] = []
    while len(out) < size:
        affine = len(out) % 9 == 8
        ws, bs, act = _affine_spec(rng) if affine else _random_spec(rng)
        net = symnet.Network.from_matrices(ws, bs, activation=act)
        domain = {} if affine else _domain(rng, len(ws[0][0]))
        try:
            if affine:
                text = symnet.decide(net).to_json()
            elif "box" in domain and rng.random() < 0.4:
                text = symnet.bound(net, domain["box"]).to_json()
            else:
                regs = symnet.regions(net, **domain)
                if len(regs) > 24:
                    continue
                text = regs.to_json()
                if rng.random() < 0.25:  # the first region's form claimed on the whole domain (true when affine)
                    d = json.loads(text)
                    d["claim"] = {
                        "kind": "affine",
                        "matrix": d["regions"][0]["matrix"],
                        "offset": d["regions"][0]["offset"],
                    }
                    text = json.dumps(d)
        except symnet.SymnetError:
            continue
        out.append(text)
    return tuple(out)


# ------------------------------------------------------------------ tampering
def _tiny(rng: random.Random) -> Fraction:
    return rng.choice([1, -1]) * Fraction(1, 2 ** rng.randint(0, 40))


def _moved(text: str, rng: random.Random) -> str:
    return enc(dec(text) + _tiny(rng))


def _region(d: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    return d["regions"][rng.randrange(len(d["regions"]))]  # type: ignore[no-any-return]


def _drop(d: dict[str, Any], rng: random.Random) -> None:
    if len(d["regions"]) > 1:
        d["regions"].pop(rng.randrange(len(d["regions"])))
        for b in d.get("claim", {}).get("bounds", []):
            b["multipliers"].pop()


def _duplicate(d: dict[str, Any], rng: random.Random) -> None:
    d["regions"].append(copy.deepcopy(_region(d, rng)))
    for b in d.get("claim", {}).get("bounds", []):
        b["multipliers"].append(copy.deepcopy(b["multipliers"][0]))


def _inequality(d: dict[str, Any], rng: random.Random) -> None:
    rows = _region(d, rng)["inequalities"]
    if rows:
        row = rng.choice(rows)
        i = rng.randrange(len(row))
        row[i] = _moved(row[i], rng)


def _form(d: dict[str, Any], rng: random.Random) -> None:
    reg = _region(d, rng)
    if rng.random() < 0.5:
        row = rng.choice(reg["matrix"])
        i = rng.randrange(len(row))
        row[i] = _moved(row[i], rng)
    else:
        i = rng.randrange(len(reg["offset"]))
        reg["offset"][i] = _moved(reg["offset"][i], rng)


def _point(d: dict[str, Any], rng: random.Random) -> None:
    pt = _region(d, rng)["interior_point"]
    i = rng.randrange(len(pt))
    pt[i] = enc(dec(pt[i]) + rng.choice([1, -1]) * Fraction(rng.randint(1, 8), rng.choice([1, 2, 4])))


def _facet(d: dict[str, Any], rng: random.Random) -> None:
    facets = _region(d, rng)["facets"]
    if not facets:
        return
    f = rng.choice(facets)
    n = len(d["regions"])
    what = rng.randrange(4)
    if what == 0:
        f[1] = None if f[1] is not None else rng.randrange(n)
    elif what == 1:
        f[1] = rng.randrange(n)
    elif what == 2 and f[2]:
        f[2][0] = _moved(f[2][0], rng)
    else:
        f[0] = rng.randrange(len(d["regions"][0]["inequalities"]) + d["units"] + 2)


def _pattern(d: dict[str, Any], rng: random.Random) -> None:
    reg = _region(d, rng)
    if reg["pattern"]:
        i = rng.randrange(len(reg["pattern"]))
        reg["pattern"] = reg["pattern"][:i] + "10"[int(reg["pattern"][i])] + reg["pattern"][i + 1 :]


def _units(d: dict[str, Any], rng: random.Random) -> None:
    """One unit more or less (patterns padded or cut to match, now and then), or a huge count."""
    n = d["units"] + rng.choice([1, -1, 1, -1, 10_000])
    if n < 0:
        return
    d["units"] = n
    if rng.random() < 0.7:
        for reg in d["regions"]:
            reg["pattern"] = (reg["pattern"] + "1" * n)[:n]


def _many(d: dict[str, Any], rng: random.Random) -> None:
    """Hundreds of copies of the regions (a size attack on the checker)."""
    times = rng.choice([50, 300, 2000])
    d["regions"] = (d["regions"] * times)[:times]
    for b in d.get("claim", {}).get("bounds", []):
        b["multipliers"] = [[] for _ in d["regions"]]


def _bound(d: dict[str, Any], rng: random.Random) -> None:
    if d.get("claim", {}).get("kind") != "bounds":
        return _form(d, rng)
    b = rng.choice(d["claim"]["bounds"])
    step = Fraction(1, 2 ** rng.randint(0, 30))
    tighter = -step if b["sense"] == "<=" else step
    b["value"] = enc(dec(b["value"]) + (tighter if rng.random() < 0.8 else -tighter))
    if rng.random() < 0.5 and b["point"]:
        b["point"] = [_moved(v, rng) for v in b["point"]]
    return None


def _box(d: dict[str, Any], rng: random.Random) -> None:
    dom = d["domain"]
    if dom["kind"] == "box":
        pair = rng.choice(dom["box"])
        i = rng.randrange(2)
        pair[i] = enc(dec(pair[i]) + (1 if i else -1) * abs(_tiny(rng)) * rng.choice([1, -1, 1]))
    elif dom["kind"] == "polytope":
        i = rng.randrange(len(dom["b"]))
        dom["b"][i] = enc(dec(dom["b"][i]) + abs(_tiny(rng)))
    else:
        p = len(d["network"]["inputs"])
        d["domain"] = {"kind": "box", "box": [["-1", "1"]] * p} if rng.random() < 0.5 else {"kind": "space"}


def _new_node(d: dict[str, Any], node: list[Any]) -> int:
    d["expressions"].append(node)
    return len(d["expressions"]) - 1


def _activation(d: dict[str, Any], rng: random.Random) -> None:
    layer = rng.choice(d["network"]["layers"][:-1])
    act = layer["activation"]
    t = act["expr"]
    for i, node in enumerate(d["expressions"]):
        if node == ["sym", act["variable"]]:
            t = i
    kind = rng.choice(["leaky_relu", "abs", "min", "shift", "tanh", "identity"])
    if kind == "leaky_relu":
        c = _new_node(d, ["rat", "1", str(rng.choice([3, 10, 100]))])
        expr = _new_node(d, ["fn", "Max", t, _new_node(d, ["mul", c, t])])
    elif kind == "abs":
        expr = _new_node(d, ["fn", "Abs", t])
    elif kind == "min":
        expr = _new_node(d, ["fn", "Min", _new_node(d, ["int", "0"]), t])
    elif kind == "shift":
        expr = _new_node(d, ["fn", "Max", _new_node(d, ["rat", "1", str(2 ** rng.randint(1, 30))]), t])
    elif kind == "tanh":
        expr = _new_node(d, ["fn", "tanh", t])
    else:
        expr = t
    act["expr"] = expr
    if rng.random() < 0.5:
        act["name"] = kind if kind in ("leaky_relu", "tanh", "identity") else None


def _weight(d: dict[str, Any], rng: random.Random) -> None:
    layer = rng.choice(d["network"]["layers"])
    v = _new_node(d, ["rat", str(rng.choice([1, -1, 7])), str(2 ** rng.randint(1, 40))])
    if rng.random() < 0.7:
        row = rng.choice(layer["weights"])
        row[rng.randrange(len(row))] = v
    else:
        layer["biases"][rng.randrange(len(layer["biases"]))] = v


def _huge(d: dict[str, Any], rng: random.Random) -> None:
    reg = _region(d, rng)
    big = 10 ** rng.choice([30, 300, 2000])
    what = rng.randrange(3)
    if what == 0 and reg["inequalities"]:  # the same half-space, written with huge numbers
        row = rng.choice(reg["inequalities"])
        row[:] = [enc(dec(v) * big) for v in row]
    elif what == 1:
        reg["interior_point"][0] = enc(dec(reg["interior_point"][0]) + Fraction(1, big))
    else:
        reg["offset"][0] = enc(dec(reg["offset"][0]) + Fraction(rng.choice([1, big]), big + 1))


def _names(d: dict[str, Any], rng: random.Random) -> None:
    bad = rng.choice(["x\\input{/etc/passwd}", "x(*", "x*)", 'x"', "x^^5c", "x_{\\def}", "x$", "x}", "x%"])
    ins = d["network"]["inputs"]
    i = rng.randrange(len(ins))
    for node in d["expressions"]:
        if node == ["sym", ins[i]]:
            node[1] = bad
    ins[i] = bad


def _swap_form(d: dict[str, Any], rng: random.Random) -> None:
    a, b = _region(d, rng), _region(d, rng)
    a["matrix"], a["offset"] = copy.deepcopy(b["matrix"]), copy.deepcopy(b["offset"])


MUTATIONS = {
    "drop": _drop,
    "duplicate": _duplicate,
    "inequality": _inequality,
    "form": _form,
    "point": _point,
    "facet": _facet,
    "pattern": _pattern,
    "units": _units,
    "bound": _bound,
    "box": _box,
    "activation": _activation,
    "weight": _weight,
    "huge": _huge,
    "names": _names,
    "swap-form": _swap_form,
    "many": _many,
}


def tamper(text: str, names: list[str], seed: int) -> str:
    """The document with the named edits applied (deterministic for a seed)."""
    rng = random.Random(seed)
    d = json.loads(text)
    for name in names:
        MUTATIONS[name](d, rng)
    return json.dumps(d, separators=(",", ":"))


# ------------------------------------------------------------------ junk
_JUNK: list[Any] = [None, True, 0, -1, 1.5, 10**400, "", "1/0", "0x1", "nan", [], {}, [[[[[[]]]]]], {"kind": "box"}]


def junk(text: str, seed: int) -> str:
    """The document with one leaf or field replaced by hostile JSON, or a key removed or added."""
    rng = random.Random(seed)
    d = json.loads(text)
    paths: list[tuple[Any, Any]] = []

    def walk(obj: Any) -> None:
        items = obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else []
        for k, v in items:
            paths.append((obj, k))
            walk(v)

    walk(d)
    obj, k = rng.choice(paths)
    what = rng.randrange(4)
    if what == 0 and isinstance(obj, dict):
        del obj[k]
    elif what == 1 and isinstance(obj, dict):
        obj["extra"] = 1
    elif what == 2 and isinstance(obj[k], list):
        obj[k] = obj[k][:-1] if obj[k] else [obj[k]]
    else:
        obj[k] = copy.deepcopy(rng.choice(_JUNK))
    return json.dumps(d, separators=(",", ":"))


# ------------------------------------------------------------------ strategies
def real_documents(size: int = 48) -> st.SearchStrategy[str]:
    return st.sampled_from(regions_pool(size))


@st.composite
def tampered_documents(draw: Any, size: int = 48) -> str:
    text = draw(real_documents(size))
    names = draw(st.lists(st.sampled_from(sorted(MUTATIONS)), min_size=1, max_size=3))
    return tamper(text, names, draw(st.integers(0, 2**32)))


@st.composite
def junk_documents(draw: Any, size: int = 48) -> str:
    return junk(draw(real_documents(size)), draw(st.integers(0, 2**32)))


def regions_documents(size: int = 48) -> st.SearchStrategy[str]:
    """One regions document from a pool of ``size`` real ones: real (one in five), tampered, or junk."""
    tampered = tampered_documents(size)
    return st.one_of(real_documents(size), tampered, tampered, tampered, junk_documents(size))
