"""The verification certificate (format ``symnet.verification``): the kernel accepts what verify writes and
rejects every tampered variant -- a dropped leaf, a wrong multiplier, a split outside its box, a moved or
non-violating counterexample, a wrong output, a changed network weight, a wrong status."""

from __future__ import annotations

import copy
import json
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

import symnet
from symnet import kernel
from symnet.cli.main import main
from symnet.search.vnnlib import VnnProperty


@pytest.fixture(scope="module")
def net() -> symnet.Network:
    rng = np.random.default_rng(7)
    W = [rng.standard_normal((8, 2)), rng.standard_normal((8, 8)) / 3, rng.standard_normal((2, 8)) / 3]
    b = [rng.standard_normal(8) / 4, rng.standard_normal(8) / 4, rng.standard_normal(2) / 4]
    return symnet.Network.from_matrices(W, b, "relu")


BOX = [(Fraction(-1), Fraction(1))] * 2


def _threshold(net: symnet.Network) -> Fraction:
    """The exact maximum of y0 on the box (symnet.bound's region enumeration)."""
    return Fraction(str(symnet.bound(net, BOX).maximum[0]))


@pytest.fixture(scope="module")
def holds(net: symnet.Network) -> dict[str, Any]:
    # violation: y0 >= max + 1/1000 or (y0 >= max - 5 and y1 >= 100); y1 never reaches 100
    t = _threshold(net)
    prop = VnnProperty(
        2,
        2,
        BOX,
        [
            [([Fraction(-1), Fraction(0)], t + Fraction(1, 1000))],
            [([Fraction(-1), Fraction(0)], t - 5), ([Fraction(0), Fraction(-1)], Fraction(100))],
        ],
    )
    v = symnet.verify(net, prop, workers=1)
    assert v.status == "holds"
    data: dict[str, Any] = json.loads(v.to_json())
    assert sum(1 for n in data["tree"] if n[0] == "leaf") >= 2
    return data


@pytest.fixture(scope="module")
def violated(net: symnet.Network) -> dict[str, Any]:
    prop = VnnProperty(2, 2, BOX, [[([Fraction(-1), Fraction(0)], _threshold(net) - Fraction(1, 100))]])
    v = symnet.verify(net, prop, workers=1)
    assert v.status == "violated"
    return json.loads(v.to_json())


def _rejected(data: dict[str, Any]) -> str:
    with pytest.raises(symnet.CertificateError) as info:
        kernel.check(json.dumps(data))
    return str(info.value)


def test_accepted(holds: dict[str, Any], violated: dict[str, Any]) -> None:
    assert kernel.check(json.dumps(holds)) is True
    assert kernel.check(json.dumps(violated)) is True
    assert symnet.Verdict.from_json(json.dumps(holds)).check() is True


def test_dropped_leaf(holds: dict[str, Any]) -> None:
    for i in [len(holds["tree"]) - 1] + [i for i, n in enumerate(holds["tree"]) if n[0] == "leaf"][:3]:
        bad = copy.deepcopy(holds)
        del bad["tree"][i]
        _rejected(bad)


def test_wrong_or_missing_multiplier(holds: dict[str, Any]) -> None:
    nodes = [i for i, n in enumerate(holds["tree"]) if n[-1]]
    for value in ("0", "-1"):  # (any positive multiple of a valid proof is valid too)
        bad = copy.deepcopy(holds)
        bad["tree"][nodes[0]][-1][0][1] = [[k, value] for k, _ in bad["tree"][nodes[0]][-1][0][1]]
        _rejected(bad)
    bad = copy.deepcopy(holds)
    bad["tree"][nodes[0]][-1] = []  # the proof dropped: the disjunct is not proved on the leaves below
    assert "not proved" in _rejected(bad) or "infeasible" in _rejected(bad)


def test_proof_for_the_wrong_disjunct(holds: dict[str, Any]) -> None:
    bad = copy.deepcopy(holds)
    for node in bad["tree"]:
        node[-1] = [[1 - j, *rest] for j, *rest in node[-1]]
    _rejected(bad)


def test_split_outside_its_box(holds: dict[str, Any]) -> None:
    i = next(i for i, n in enumerate(holds["tree"]) if n[0] == "split")
    for value in ("1", "-1", "7/2"):
        bad = copy.deepcopy(holds)
        bad["tree"][i][2] = value
        _rejected(bad)


def test_changed_weight_and_property(holds: dict[str, Any]) -> None:
    bad = copy.deepcopy(holds)
    bad["expressions"].append(["int", "50"])
    bad["network"]["layers"][-1]["biases"][0] = len(bad["expressions"]) - 1  # y0 + 50: now the violation happens
    _rejected(bad)
    bad = copy.deepcopy(holds)
    bad["property"]["box"][0] = ["-2", "1"]  # a larger box than the tree covers... with proofs for the old one
    _rejected(bad)


def test_counterexample_moved_or_not_violating(violated: dict[str, Any], net: symnet.Network) -> None:
    bad = copy.deepcopy(violated)
    bad["counterexample"][0] = "3"
    assert "outside the box" in _rejected(bad)
    # a point inside the box that does not violate, with its true output: rejected as not violating
    bad = copy.deepcopy(violated)
    bad["counterexample"] = ["0", "0"]
    bad["output"] = [str(Fraction(str(v))) for v in net.evaluate([0, 0], exact=True)]
    assert "satisfies no disjunct" in _rejected(bad)
    bad = copy.deepcopy(violated)
    bad["output"][0] = str(Fraction(bad["output"][0]) + 1)
    assert "not the network's output" in _rejected(bad)


def test_wrong_status(holds: dict[str, Any], violated: dict[str, Any]) -> None:
    bad = copy.deepcopy(holds)
    bad["status"] = "violated"
    _rejected(bad)
    bad = copy.deepcopy(violated)
    bad["status"] = "holds"
    _rejected(bad)
    bad = copy.deepcopy(violated)
    bad["status"] = "unknown"
    _rejected(bad)


def test_symnet_check_cli(
    holds: dict[str, Any], violated: dict[str, Any], tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, data, word in (("h.json", holds, "HOLDS"), ("v.json", violated, "VIOLATED")):
        path = tmp_path / name
        path.write_text(json.dumps(data))
        assert main(["check", str(path)]) == 0
        out = capsys.readouterr().out
        assert word in out and "fingerprint sha256:" in out and "2 -> 8 -> 8 -> 2" in out
    bad = copy.deepcopy(violated)
    bad["counterexample"][0] = "3"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    assert main(["check", str(path)]) == 1


def test_shards_together_are_the_whole_check(holds: dict[str, Any]) -> None:
    from symnet.certificate import read
    from symnet.kernel.verification import check_document

    nodes = [i for i, n in enumerate(holds["tree"]) if n[-1]]
    bad = copy.deepcopy(holds)
    bad["tree"][nodes[-1]][-1][0][1] = [[k, "0"] for k, _ in bad["tree"][nodes[-1]][-1][0][1]]
    doc = read(json.dumps(bad))
    outcomes = []
    for k in range(3):
        try:
            outcomes.append(check_document(doc, (k, 3)))
        except symnet.CertificateError:
            outcomes.append(False)
    assert outcomes.count(False) == 1 and outcomes[nodes[-1] % 3] is False  # only the shard holding the node sees it
    good = read(json.dumps(holds))
    assert all(check_document(good, (k, 3)) for k in range(3))
    with pytest.raises(symnet.CertificateError):
        check_document(good, (3, 3))


def test_the_reader_refuses_a_node_after_the_last_leaf_before_reading_the_rest() -> None:
    """A tree whose root is a leaf followed by 400,000 more nodes: refused at tree[1], not after reading them all.

    The rest are not even well-formed nodes, so a reader that went on would name a later index.
    """
    from flint import fmpq

    from symnet.certificate.verification import read_tree
    from symnet.errors import CertificateError

    disjuncts = ((((fmpq(1),), fmpq(0)),),)
    items: list[object] = [["leaf", []], ["leaf", []], *[["junk"]] * 400_000]  # one junk node, 400,000 times
    with pytest.raises(CertificateError, match=r"tree\[1\] comes after the tree's last leaf"):
        read_tree(items, 1, disjuncts, 0)
    # a split owes two children: split, leaf, leaf is whole; a fourth node is one too many
    split = ["split", 0, "1/2", []]
    assert len(read_tree([split, ["leaf", []], ["leaf", []]], 1, disjuncts, 0)) == 3
    with pytest.raises(CertificateError, match=r"tree\[3\] comes after"):
        read_tree([split, ["leaf", []], ["leaf", []], ["leaf", []]], 1, disjuncts, 0)
