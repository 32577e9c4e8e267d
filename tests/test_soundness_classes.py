"""The five classes of issue 11, each with hostile documents of its own, rejected with typed errors.

Every hostile document states something false (or is malformed); where it
states a false claim, an oracle that does not use the kernel (exact Fraction
evaluation of the network at random points, tests/forward.py style) confirms
that the claim is false, so the rejection is the right answer.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import pytest
import sympy

import symnet
from symnet import CertificateError, SymnetError
from symnet.certificate import Certificate, Claim, Step, load_json
from symnet.certificate.writing import network_fingerprint
from symnet.cost import estimate_cost
from symnet.kernel import check
from symnet.kernel import counterexample as kc
from symnet.kernel import degree as kd
from symnet.kernel.gate import IllFormed
from symnet.kernel.ring import exact
from symnet.model.network import Network
from symnet.proof import Proof
from symnet.search.generic import GenericProof
from symnet.search.rank import RankBound, rank_bound

ROOT = Path(__file__).resolve().parent.parent
t, x1, x2 = sympy.symbols("t x_1 x_2")


def seed_doc(p: int = 2, hidden: tuple[int, ...] = (2,), **kw) -> dict:
    return json.loads(symnet.prove(symnet.dense(p, list(hidden), **kw)).to_json())


def load_check(doc: dict | str) -> bool:
    text = doc if isinstance(doc, str) else json.dumps(doc)
    return Proof.from_json(text).check()


def add_node(doc: dict, node: list) -> int:
    doc["expressions"].append(node)
    return len(doc["expressions"]) - 1


def sym_ref(doc: dict, name: str) -> int:
    for i, n in enumerate(doc["expressions"]):
        if n == ["sym", name]:
            return i
    return add_node(doc, ["sym", name])


def oracle_outputs(net: Network, x: list[Fraction], values: dict) -> list[Fraction]:
    """Exact evaluation by substitution of rationals only (no kernel code): sympy numbers at a point."""
    u = [sympy.Rational(v.numerator, v.denominator) for v in x]
    for layer in net.layers:
        z = [
            sympy.nsimplify(layer.biases[k].xreplace(values))
            + sum(sympy.Rational(layer.weights[k, j].xreplace(values)) * u[j] for j in range(layer.fan_in))
            for k in range(layer.width)
        ]
        body = layer.activation.expr
        body = body.xreplace({f: sympy.Rational(f) for f in body.atoms(sympy.Float)})  # sympy's own exact conversion
        u = [body.xreplace({layer.activation.variable: v}) for v in z] if not layer.activation.is_identity else z
    return [Fraction(int(v.p), int(v.q)) for v in u]


def claim_false_somewhere(net: Network, matrix, offset, trials: int = 5) -> bool:
    """True when W* x + b* (with random parameter values) differs from the network at some random rational point."""
    rng = random.Random(1)
    params = list(net.parameters)
    for _ in range(trials):
        vals = {s: sympy.Rational(rng.randint(-5, 5), rng.randint(1, 3)) for s in params}
        x = [Fraction(rng.randint(-9, 9), rng.randint(1, 4)) for _ in range(net.p)]
        xs = {s: sympy.Rational(v.numerator, v.denominator) for s, v in zip(net.inputs, x, strict=False)}
        got = oracle_outputs(net, x, vals)
        for i in range(net.q):
            claimed = offset[i].xreplace(vals).xreplace(xs) + sum(
                matrix[i, j].xreplace(vals).xreplace(xs) * xs[net.inputs[j]] for j in range(net.p)
            )
            if sympy.Rational(claimed) != sympy.Rational(got[i].numerator, got[i].denominator):
                return True
    return False


# ------------------------------------------------- class 1: claims must be x-free
class TestClaimsAreCheckedForTheirOwnForm:
    def test_w_zero_and_b_the_whole_output(self):
        net = symnet.dense(2, [2])
        matrix = sympy.ImmutableMatrix.zeros(1, 2)
        offset = sympy.ImmutableMatrix([sympy.expand(net.output[0])])
        # the oracle: with W* = 0 the claim is the output itself, so no point tells them apart...
        assert not claim_false_somewhere(net, matrix, offset)
        # ...but the claim is not a linear regression: b* contains x, which the gate refuses
        proof = symnet.prove(net)
        forged = Certificate(net, proof.steps, Claim("explicit", (1, 2), proof.routes, matrix, offset))
        with pytest.raises(IllFormed, match="contains the input"):
            check(forged)

    @pytest.mark.parametrize("where", ["matrix", "offset"])
    def test_json_claim_with_x_inside(self, where):
        doc = seed_doc()
        x = sym_ref(doc, "x_1")
        zero = add_node(doc, ["int", "0"])
        prod = add_node(doc, ["mul", x, zero])  # 0*x_1: cancels in sympy, still a reference to x
        if where == "matrix":
            doc["claim"]["matrix"][0][0] = add_node(doc, ["add", doc["claim"]["matrix"][0][0], prod])
        else:
            doc["claim"]["offset"][0] = add_node(doc, ["add", doc["claim"]["offset"][0], prod])
        with pytest.raises(CertificateError, match="input"):
            load_check(doc)

    def test_claim_with_foreign_symbol(self):
        net = symnet.dense(1, [1])
        proof = symnet.prove(net)
        z = sympy.Symbol("z")
        claim = Claim(
            "explicit",
            (1, 1),
            proof.routes,
            proof.matrix + sympy.ImmutableMatrix([[z - z + z]]),
            proof.offset - sympy.ImmutableMatrix([z]),
        )
        with pytest.raises(IllFormed, match="not a parameter"):
            check(Certificate(net, proof.steps, claim))

    def test_generic_offset_with_x_atom(self):
        proof = symnet.prove(symnet.dense("p", ["h"]))
        data = json.loads(proof.to_json())
        data["claim"]["offset"]["terms"].append([["W_2", "W_1", "x"], data["claim"]["offset"]["terms"][0][1]])
        with pytest.raises(CertificateError):
            GenericProof.from_json(json.dumps(data)).check()

    def test_generic_2cb_minus_cbx(self):
        """W* = 2CB with b* = ... - CBx: the same linear form, but b* mentions x."""
        from symnet.model.generic import Lin

        proof = symnet.prove(symnet.dense("p", ["h"]))
        cert = proof.certificate
        net = cert.network
        x = Lin.of(net.input())
        cb = cert.matrix
        forged = type(cert)(net, cert.steps, cb.scale(2), cert.offset + (cb @ x).scale(-1))
        with pytest.raises(IllFormed, match="contains the input x"):
            GenericProof(forged).check()
        with pytest.raises(IllFormed, match="contains the input x"):
            GenericProof(forged).instantiate(p=2, h=2)  # no concrete proof for a forged generic claim


# ------------------------------- class 2: activations and weights are confined
class TestActivationsAndWeightsAreConfined:
    @pytest.mark.parametrize(
        "body",
        [x1 * t, t + sympy.Max(0, x1), t**2 - x1**2, t + x2 - x2 + x1],
        ids=["x-times-t", "t-plus-max-x", "t2-minus-x2", "t-plus-x"],
    )
    def test_network_refuses_activation_on_an_input(self, body):
        with pytest.raises(SymnetError, match="input"):
            Network.from_matrices([[[1, 1]], [[1]]], None, sympy.Lambda(t, body))

    def test_json_activation_on_an_input(self):
        doc = seed_doc()
        layer = doc["network"]["layers"][0]["activation"]
        var = sym_ref(doc, layer["variable"])
        layer["expr"] = add_node(doc, ["mul", var, sym_ref(doc, "x_1")])
        with pytest.raises(CertificateError, match="input"):
            load_check(doc)

    def test_identity_named_but_not_identity(self):
        doc = seed_doc()
        act = doc["network"]["layers"][0]["activation"]
        var = sym_ref(doc, act["variable"])
        mx = add_node(doc, ["fn", "Max", add_node(doc, ["int", "0"]), var])
        act["expr"] = add_node(doc, ["add", var, mx])
        with pytest.raises(CertificateError):
            load_check(doc)

    def test_counterexample_for_identically_zero_network(self):
        """t -> t^2 - x_1^2 on a zero network: the model refuses it before any counterexample exists."""
        with pytest.raises(SymnetError, match="input"):
            Network.from_matrices([[[0]], [[1]]], None, sympy.Lambda(t, t**2 - x1**2))

    def test_degree_parameter_named_t(self):
        """A parameter called t must not collide with the variable the degree checker substitutes."""
        s = sympy.Symbol("s")
        net = Network.from_matrices([[[1]], [[1]]], None, sympy.Lambda(s, s**2 - t**2 + t * s - s * t))
        d = symnet.degree(net)
        assert d.degree == 2 and d.check()
        forged = dict(d.certificate, degrees=[None], witnesses=[None])
        with pytest.raises(CertificateError):
            kd.check_degree(net, forged)

    def test_degree_certificate_cannot_set_its_limit(self):
        net = symnet.dense(2, [3], activation="square")
        d = symnet.degree(net)
        cert = dict(d.certificate, routes=["expand_degree"], witnesses=[None], limit=1)
        assert kd.check_degree(net, cert)  # the kernel's own limit applies, not the certificate's 1

    @pytest.mark.parametrize("kind", ["weight", "activation"])
    def test_non_commutative_symbols(self, kind):
        A, B = sympy.symbols("A B", commutative=False)
        with pytest.raises(SymnetError, match="commutative"):
            if kind == "weight":
                Network.from_matrices([[[A]], [[B]]], None)
            else:
                Network.from_matrices([[[1]], [[1]]], None, sympy.Lambda(t, A * t))

    def test_kernel_refuses_non_commutative_even_if_model_is_bypassed(self):
        A = sympy.Symbol("A", commutative=False)
        net = symnet.dense(1, [1])
        proof = symnet.prove(net)
        claim = Claim("explicit", (1, 1), proof.routes, sympy.ImmutableMatrix([[A]]), proof.offset)
        with pytest.raises(CertificateError):
            check(Certificate(net, proof.steps, claim))


# --------------------------------------------- class 3: numbers are what they are
HALF_PLUS = sympy.Float(sympy.Rational(1, 2) + sympy.Rational(1, 2**200), 300)


class TestNumbersAreWhatTheySeem:
    def test_high_precision_slope_is_exact_in_the_engine_and_the_kernel(self):
        net = Network.from_matrices([[[1]], [[1]]], None, sympy.Lambda(t, HALF_PLUS * t))
        proof = symnet.prove(net)
        assert proof.matrix[0, 0] == sympy.Rational(1, 2) + sympy.Rational(1, 2**200)
        assert proof.check()

    def test_high_precision_slope_forged_as_one_half(self):
        net = Network.from_matrices([[[1]], [[1]]], None, sympy.Lambda(t, HALF_PLUS * t))
        proof = symnet.prove(net)
        half = sympy.ImmutableMatrix([[sympy.Rational(1, 2)]])
        assert claim_false_somewhere(net, half, proof.offset)
        forged = Certificate(net, proof.steps, Claim("explicit", (1, 1), ("layerwise",), half, proof.offset))
        steps = tuple(s for s in proof.steps if s.rule != "expand_and_compare")
        with pytest.raises(CertificateError):
            check(Certificate(net, steps, forged.claim))

    def test_float_node_with_more_bits_than_precision(self):
        doc = seed_doc()
        doc["expressions"].append(["float", 0, "3", 0, 2, 1])  # 3 with 1 bit of precision would read as 4
        with pytest.raises(CertificateError, match="canonical float"):
            load_check(doc)

    @pytest.mark.parametrize(
        "node", [["float", 0, "2", 0, 2, 53], ["float", 0, "3", 0, 3, 53], ["float", 2, "3", 0, 2, 53]]
    )
    def test_non_canonical_float_nodes(self, node):
        doc = seed_doc()
        doc["expressions"].append(node)
        with pytest.raises(CertificateError):
            load_check(doc)

    @pytest.mark.parametrize("entry", [sympy.zoo, sympy.nan, sympy.oo, float("nan"), float("inf")])
    def test_non_finite_weights_refused_at_build(self, entry):
        with pytest.raises(SymnetError, match="finite"):
            Network.from_matrices([[[entry]], [[1]]], None)

    def test_max_weight_refused_by_the_kernel(self):
        c = sympy.Symbol("c")
        net = Network.from_matrices([[[sympy.Max(sympy.Rational(1, 2), c)]], [[1]]], None)
        proof = symnet.prove(net, expand=False)
        with pytest.raises(CertificateError, match="not a polynomial"):
            proof.check()

    @pytest.mark.parametrize("node", [["pow", "Z", "M"], ["fn", "log", "Z"]], ids=["1/0", "log0"])
    def test_json_zoo_and_nan_nodes(self, node):
        doc = seed_doc()
        z = add_node(doc, ["int", "0"])
        m = add_node(doc, ["int", "-1"])
        node = [z if v == "Z" else m if v == "M" else v for v in node]
        bad = add_node(doc, node)
        doc["network"]["layers"][0]["weights"][0][0] = bad
        with pytest.raises(CertificateError):
            load_check(doc)

    def test_float_plus_rational_in_a_claim_is_not_rounded_away(self):
        """b + 0.1 - 1/10 is b + 2^-55*... exactly, not b: sympy's Float arithmetic must not decide."""
        doc = seed_doc(1, ())
        b = doc["claim"]["offset"][0]
        f = add_node(doc, ["float", 0, "3602879701896397", -55, 52, 53])  # the double nearest 0.1
        r = add_node(doc, ["rat", "-1", "10"])
        doc["claim"]["offset"][0] = add_node(doc, ["add", b, f, r])
        assert Fraction(3602879701896397, 2**55) != Fraction(
            1, 10
        )  # the oracle: the claim is off by a nonzero rational
        with pytest.raises(CertificateError):
            load_check(doc)

    def test_boolean_float_sign(self):
        doc = seed_doc()
        doc["expressions"].append(["float", True, "1", -1, 1, 53])
        with pytest.raises(CertificateError, match="bad float"):
            load_check(doc)

    def test_exact_never_rounds(self):
        assert exact(HALF_PLUS * x1) == (sympy.Rational(1, 2) + sympy.Rational(1, 2**200)) * x1


# ------------------------------- class 4: the document is bound to what it says
class TestTheDocumentIsBoundToWhatItSays:
    def test_duplicate_symbol_entries(self):
        doc = seed_doc()
        doc["expressions"].append(list(doc["expressions"][[n[0] for n in doc["expressions"]].index("sym")]))
        with pytest.raises(CertificateError, match="appears once"):
            load_check(doc)

    @pytest.mark.parametrize("name", ["relu", "square", "tanh", "no-such"])
    def test_activation_name_mismatch(self, name):
        doc = seed_doc()
        doc["network"]["layers"][0]["activation"]["name"] = name
        with pytest.raises(CertificateError):
            load_check(doc)

    def test_duplicate_json_keys(self):
        text = json.dumps(seed_doc())
        text = text.replace('"version":1', '"version":1,"version":1', 1).replace(
            '"version": 1', '"version": 1, "version": 1', 1
        )
        with pytest.raises(CertificateError, match="twice"):
            load_check(text)
        with pytest.raises(CertificateError, match="twice"):
            load_json('{"a": 1, "a": 2}')

    @pytest.mark.parametrize("version", [True, 1.0, "1", None])
    def test_non_integer_versions(self, version):
        doc = seed_doc()
        doc["version"] = version
        with pytest.raises(CertificateError, match="version"):
            load_check(doc)

    def test_empty_certificate(self):
        net = symnet.dense(1, [1])
        proof = symnet.prove(net)
        for routes in ((), ("layerwise",)):
            with pytest.raises(CertificateError):
                check(Certificate(net, (), Claim("explicit", (1, 1), routes, proof.matrix, proof.offset)))

    def test_rank_bound_symbolic_refused(self):
        c, d = sympy.symbols("c d")
        net = Network.from_matrices([[[c, 1], [1, d]], [[1, 0], [0, 1]]], None)
        with pytest.raises(SymnetError, match="symbolic"):
            rank_bound(net)
        # a hand-made symbolic RankBound stating rank 2 (false at c = d = 1)
        w = sympy.ImmutableMatrix([[c, 1], [1, d]])
        assert w.subs({c: 1, d: 1}).rank() == 1
        forged = RankBound(net, w, (2, 2, 2), 0, 2, 2, sympy.ImmutableMatrix.eye(2), w, ((0, 1), (0, 1)))
        with pytest.raises(CertificateError, match="symbolic"):
            forged.check()

    def test_rank_bound_numeric_is_exact(self):
        net = Network.from_matrices([[[1, 2], [2, 4]], [[1, 1]]], None)
        rb = rank_bound(net)
        assert rb.rank == 1 and rb.check()
        forged = RankBound(net, rb.matrix, rb.widths, rb.narrowest, rb.bound, 2, rb.left, rb.right, ((0,), (0,)))
        with pytest.raises(CertificateError):
            forged.check()

    def test_fingerprint_tells_networks_apart(self):
        a, b = symnet.dense(2, [2]), Network.from_matrices([[[1, 2], [3, 4]], [[1, 1]]], None)
        assert network_fingerprint(a) != network_fingerprint(b)
        assert network_fingerprint(a) == network_fingerprint(Proof.from_json(symnet.prove(a).to_json()).network)


# ---------------------------------------------------- class 5: bounded work
class TestWorkIsBounded:
    def _quick(self, fn, seconds: float = 10.0):
        start = time.perf_counter()
        with pytest.raises(SymnetError):
            fn()
        assert time.perf_counter() - start < seconds

    def test_power_chain_in_table(self):
        doc = seed_doc()
        cur = sym_ref(doc, "b_{1,1}")
        two = add_node(doc, ["int", "2"])
        for _ in range(40):
            cur = add_node(doc, ["pow", cur, two])
        self._quick(lambda: load_check(doc))

    def test_squaring_chain_in_table(self):
        doc = seed_doc()
        cur = add_node(doc, ["add", sym_ref(doc, "b_{1,1}"), add_node(doc, ["int", "1"])])
        for _ in range(40):
            cur = add_node(
                doc, ["mul", cur, add_node(doc, ["add", cur, add_node(doc, ["int", str(len(doc["expressions"]))])])]
            )
        doc["claim"]["offset"][0] = cur
        self._quick(lambda: load_check(doc))

    def test_long_add_chain(self):
        doc = seed_doc()
        cur = sym_ref(doc, "b_{1,1}")
        for k in range(3000):
            cur = add_node(doc, ["add", cur, add_node(doc, ["sym", f"s{k}"])])
        self._quick(lambda: load_check(doc))

    def test_huge_exponent(self):
        doc = seed_doc()
        add_node(doc, ["pow", sym_ref(doc, "b_{1,1}"), add_node(doc, ["int", "1000000"])])
        self._quick(lambda: load_check(doc))

    def test_power_inside_claim(self):
        net = symnet.dense(1, [1])
        proof = symnet.prove(net)
        big = (sympy.Symbol("c_1") + 1) ** 5000
        claim = Claim(
            "explicit", (1, 1), proof.routes, proof.matrix + sympy.ImmutableMatrix([[big - big]]), proof.offset
        )
        assert estimate_cost(big).degree == 5000
        # big - big is 0 to sympy; a non-cancelling power must be refused by the cost model
        claim = Claim("explicit", (1, 1), proof.routes, sympy.ImmutableMatrix([[big]]), proof.offset)
        self._quick(lambda: check(Certificate(net, proof.steps, claim)))

    def test_activation_t3000(self):
        net = Network.from_matrices([[[1]], [[1]]], None, sympy.Lambda(t, t**3000))
        self._quick(lambda: symnet.prove(net))
        self._quick(lambda: symnet.degree(net))
        proof_like = Certificate(
            net,
            (Step("expand_and_compare", monomials=1),),
            Claim("explicit", (1, 1), ("direct",), sympy.ImmutableMatrix([[1]]), sympy.ImmutableMatrix([0])),
        )
        self._quick(lambda: check(proof_like))

    def test_degree_witness_with_huge_numbers_refused_up_front(self):
        s = sympy.Symbol("s")
        net = Network.from_matrices([[[1]], [[1]], [[1]]], None, [sympy.Lambda(s, s**64), sympy.Lambda(s, s**64)])
        huge = str(10**4000 + 1)
        cert = {
            "degrees": [4096],
            "routes": ["bound_degree"],
            "witnesses": [{"weights": {}, "point": [huge], "direction": [huge], "coefficient": "1"}],
        }
        start = time.perf_counter()
        with pytest.raises(CertificateError, match="bits"):
            kd.check_degree(net, cert)
        assert time.perf_counter() - start < 10

    def test_counterexample_with_huge_points_refused_up_front(self):
        net = Network.from_matrices([[[1]], [[1]], [[1]]], None, "cube")
        u = (sympy.Integer(10**60000),)
        v = (sympy.Integer(-(10**60000)),)
        with pytest.raises(CertificateError, match="bits"):
            kc.check_counterexample(net, {}, (u, v), 0, (0, 0, 0), (sympy.Integer(1), sympy.Integer(2)))

    @pytest.mark.slow
    def test_prove_square_chain_refused_fast_on_the_cli(self):
        args = [sys.executable, "-m", "symnet", "prove", "--inputs", "1", "--activation", "square"] + [
            "--hidden",
            "1",
        ] * 20
        start = time.perf_counter()
        r = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=60)
        assert time.perf_counter() - start < 30
        assert r.returncode == 2 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr

    def test_rank_bound_large_numeric_is_fast(self):
        rng = random.Random(0)
        w1 = [[rng.randint(-3, 3) for _ in range(30)] for _ in range(20)]
        w2 = [[rng.randint(-3, 3) for _ in range(20)] for _ in range(5)]
        start = time.perf_counter()
        rb = rank_bound(Network.from_matrices([w1, w2], None))
        assert rb.check() and time.perf_counter() - start < 10


# ------------------------------------------------------------ the command line
@pytest.mark.slow
@pytest.mark.parametrize("kind", ["certificate", "generic", "counterexample", "degree"])
def test_symnet_check_round_trips_every_document(tmp_path, kind):
    path = tmp_path / "doc.json"
    if kind == "certificate":
        text = symnet.prove(symnet.dense(2, [2])).to_json()
    elif kind == "generic":
        text = symnet.prove(symnet.dense("p", ["h"])).to_json()
    elif kind == "counterexample":
        text = symnet.refute(symnet.dense(1, [2], activation="square")).to_json()
    else:
        text = symnet.degree(symnet.dense(2, [2], activation="square")).to_json()
    path.write_text(text)
    r = subprocess.run(
        [sys.executable, "-m", "symnet", "check", str(path)], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert r.returncode == 0, r.stderr
    assert "fingerprint sha256:" in r.stdout and "architecture" in r.stdout and "->" in r.stdout


@pytest.mark.slow
@pytest.mark.parametrize("mutate", ["dup-key", "version-true", "x-in-claim", "name-mismatch"])
def test_symnet_check_hostile_documents_one_line_no_traceback(tmp_path, mutate):
    doc = seed_doc()
    if mutate == "dup-key":
        text = json.dumps(doc).replace('"version": 1', '"version": 1, "version": 1', 1)
    else:
        if mutate == "version-true":
            doc["version"] = True
        elif mutate == "x-in-claim":
            doc["claim"]["offset"][0] = sym_ref(doc, "x_1")
        else:
            doc["network"]["layers"][0]["activation"]["name"] = "relu"
        text = json.dumps(doc)
    path = tmp_path / "bad.json"
    path.write_text(text)
    r = subprocess.run(
        [sys.executable, "-m", "symnet", "check", str(path)], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert r.returncode in (1, 2) and r.stdout == ""
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
