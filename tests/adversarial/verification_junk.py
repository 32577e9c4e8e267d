"""Hostile structure around verification documents (issue 21): refused quickly, never a traceback or a hang.

Deep split chains (past the reader's depth limit and just under it), wide
trees, numbers of thousands of digits at every kind of place, proofs of the
wrong shape (and slopes that break the interface's rules), wrong types at any
leaf, random JSON under the format's keys, mixed-up statuses, and the
JSON-level hostility of :func:`.strategies.finish`.
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

from . import strategies as S
from .verification_strategies import _enc, verification_pool

__all__ = ["junk_documents"]


def _chain(depth: int, p: int, disjuncts: int) -> list[Any]:
    """A split chain ``depth`` deep on coordinate 0 of [0, 1], every leaf proving every disjunct with unit rows."""
    proofs = [[j, [[0, "1"]]] for j in range(disjuncts)]
    out: list[Any] = []
    for i in range(depth):
        out += [["split", 0, _enc(1 - Fraction(1, 2 ** (i + 1))), []], ["leaf", proofs]]
    return [*out, ["leaf", proofs]]


@st.composite
def junk_documents(draw: Any) -> str:
    """Hostile structure around a real certificate (or none): CertificateError quickly, never a traceback or hang."""
    text, _spec = draw(st.sampled_from(verification_pool()))
    d = json.loads(text)
    p, nd = len(d["property"]["box"]), len(d["property"]["disjuncts"])
    kind = draw(st.sampled_from(["deep", "wide", "huge", "proof-shape", "type", "random", "status-mix", "finish"]))
    if kind in ("deep", "wide"):
        d.pop("counterexample", None)
        d.pop("output", None)
        d["status"] = "holds"
        d["property"]["box"][0] = ["0", "1"]
        if kind == "deep":
            d["tree"] = _chain(draw(st.sampled_from([399, 401, 450, 1500])), p, nd)
        else:
            d["tree"] = [["leaf", []]] * draw(st.sampled_from([2, 1000, 10_000]))
    elif kind == "huge":
        big = draw(st.sampled_from(["1" + "0" * 1300, "1/" + "3" * 1300, "7" * 5000, "-" + "9" * 1240]))
        where = draw(st.sampled_from(["box", "row", "mult", "point", "split"]))
        if where == "box":
            d["property"]["box"][0][1] = big
        elif where == "row":
            d["property"]["disjuncts"][0][0][1] = big
        elif d["status"] == "violated":
            d["counterexample"][0] = big
        elif where == "split" or not d["tree"][0][-1]:
            d["tree"][0] = ["split", 0, big, []]
        else:
            d["tree"][0][-1][0][1] = [[0, big]]
    elif kind == "proof-shape":
        bad = draw(
            st.sampled_from(
                [
                    [0],
                    [0, [], [], []],
                    [True, []],
                    [-1, []],
                    [0, "x"],
                    [0, [[0, 1]]],
                    [0, [[0.5, "1"]]],
                    [0, [[0, "1", "2"]]],
                    [0, [], "slopes"],
                    [0, [], [[0, 0]]],
                    [0, [], [[0, 0, "1/2"], [0, 0, "1/2"]]],
                    [0, [], [[-1, 0, "1/2"]]],
                    None,
                ]
            )
        )
        d.pop("counterexample", None)
        d.pop("output", None)
        d.update(status="holds", tree=[["leaf", [bad]]])
    elif kind == "type":
        leaves = S._leaves(d)
        S._set(d, draw(st.sampled_from(leaves[:300])), draw(st.sampled_from([True, None, 1.5, 7, [], {}, "", "1/0"])))
    elif kind == "random":
        leaf = st.one_of(st.none(), st.booleans(), st.integers(-3, 10**30), st.text(max_size=5))
        junk = st.recursive(
            leaf, lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=3), c, max_size=3), max_leaves=8
        )
        for key in draw(
            st.lists(
                st.sampled_from(["property", "status", "tree", "counterexample", "output", "network", "expressions"]),
                unique=True,
                max_size=3,
            )
        ):
            d[key] = draw(junk)
    elif kind == "status-mix":
        d["status"] = draw(st.sampled_from(["holds", "violated", "unknown", "HOLDS", None, 1]))
        if draw(st.booleans()):
            d["counterexample"] = ["0"] * p
    else:
        return S.finish(draw, d, S.Nodes(d["expressions"]))
    return json.dumps(d)
