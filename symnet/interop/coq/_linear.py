"""Coq export of a linear certificate: the statement IR and its layer-by-layer proof."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...certificate import Certificate
from ...kernel import check
from ...model.exact import as_sympy
from ._base import (
    _COQ_KEYWORDS,
    _LIBRARY_NAMES,
    MAX_LISTED_PARAMETERS,
    MAX_TERM_NODES,
    CoqExportError,
    Term,
    _comment,
    _matrix_text,
    _prelude,
    _Printer,
    _row,
    _variables,
    _vector_text,
    coq_identifiers,
    to_term,
)


# ------------------------------------------------------- the statement IR
@dataclass(frozen=True)
class LayerIR:
    """One layer: weights (rows of Terms), biases, and the activation.

    ``body`` is the activation's formula in its variable (``None`` for the
    identity); ``slope`` and ``intercept`` are the affine coefficients the
    certificate states (hidden layers only).
    """

    weights: tuple[tuple[Term, ...], ...]
    biases: tuple[Term, ...]
    variable: str
    body: Term | None
    label: str
    slope: Term | None = None
    intercept: Term | None = None


@dataclass(frozen=True)
class LinearStatement:
    """A linear certificate as data a printer (Coq now, Lean later) turns into a checked file.

    ``layers`` lists every layer, input side first (the last is the output
    layer); ``output_row`` is the stated C, ``factors`` the stated P_L .. P_1
    in certificate order; ``claim`` is ``(W*, b*)`` for an explicit claim or
    ``None`` for a product claim (W*, b* are the blocks of C P_L ... P_1).
    ``numeric`` is True when every entry is a rational number.
    """

    p: int
    q: int
    layers: tuple[LayerIR, ...]
    output_row: tuple[tuple[Term, ...], ...]
    factors: tuple[tuple[tuple[Term, ...], ...], ...]
    claim: tuple[tuple[tuple[Term, ...], ...], tuple[Term, ...]] | None
    numeric: bool
    description: str


def _rows(m: Any, budget: list[int]) -> tuple[tuple[Term, ...], ...]:
    m = as_sympy(m)  # a document's numbers are stored as python-flint matrices
    return tuple(tuple(to_term(m[i, j], budget=budget) for j in range(m.cols)) for i in range(m.rows))


def linear_statement(certificate: Certificate) -> LinearStatement:
    """The :class:`LinearStatement` of a linear certificate, after the kernel has re-checked it."""
    if not isinstance(certificate, Certificate):
        raise CoqExportError(f"expected a symnet.certificate.Certificate, got {type(certificate).__name__}")
    check(certificate)  # raises CertificateError: only what the kernel accepted is exported
    cert = certificate
    if "layerwise" not in cert.claim.routes:
        raise CoqExportError(
            "the certificate has no layer-wise route (only expand_and_compare); the Coq export follows the "
            "layer-wise steps and never proves the whole expansion with one flat ring"
        )
    net = cert.network
    inputs = {s.name for s in net.inputs}
    budget = [MAX_TERM_NODES]
    chain: list[Any] = []
    started = False
    for step in cert.steps:
        if step.rule == "read_output_layer":
            chain, started = [step], True
        elif step.rule == "substitute_layer" and started:
            chain.append(step)
        elif step.rule == "conclude_linear_form" and started:
            break
    out_step, subs = chain[0], chain[1:]
    slopes = {s.layer: (to_term(s.slope, budget=budget), to_term(s.intercept, budget=budget)) for s in subs}
    layers = []
    for index, layer in enumerate(net.layers, start=1):
        act = layer.activation
        body = None if act.is_identity else to_term(act.expr, budget=budget)
        slope, intercept = slopes.get(index, (None, None))
        layers.append(
            LayerIR(
                _rows(layer.weights, budget),
                tuple(to_term(v, budget=budget) for v in layer.biases),
                act.variable.name,
                body,
                act.label(),
                slope,
                intercept,
            )
        )
    claim = None
    if cert.claim.form == "explicit":
        assert cert.claim.matrix is not None and cert.claim.offset is not None
        offset = as_sympy(cert.claim.offset)  # a document's numbers are stored as python-flint matrices
        claim = (_rows(cert.claim.matrix, budget), tuple(to_term(v, budget=budget) for v in offset))
    output_row = _rows(out_step.matrix, budget)
    factors = tuple(_rows(s.matrix, budget) for s in subs)
    st = LinearStatement(net.p, net.q, tuple(layers), output_row, factors, claim, False, repr(net))
    names = _parameters(st)
    clash = sorted(set(names) & inputs)
    if clash:
        raise CoqExportError(f"the inputs {clash} appear inside the network's parameters")
    return LinearStatement(net.p, net.q, tuple(layers), output_row, factors, claim, not names, repr(net))


def _parameters(st: LinearStatement) -> list[str]:
    """The free symbol names of a statement, in order of first appearance (activation variables are bound)."""
    every: list[Term] = []
    for lay in st.layers:
        every += [t for r in lay.weights for t in r] + list(lay.biases)
        every += [t for t in (lay.slope, lay.intercept) if t is not None]
    every += [t for r in st.output_row for t in r] + [t for f in st.factors for r in f for t in r]
    if st.claim is not None:
        every += [t for r in st.claim[0] for t in r] + list(st.claim[1])
    names = _variables(every)
    for lay in st.layers:
        if lay.body is not None:
            names += [n for n in _variables([lay.body]) if n != lay.variable]
    return list(dict.fromkeys(names))


# ------------------------------------------------------ the linear printer


def proof_to_coq(certificate: Certificate, *, standalone: bool = True) -> str:
    """A Coq file (text) that states and proves a linear certificate's collapse identity, layer by layer.

    The file defines the layers, the claimed ``Wstar`` and ``bstar``, one
    lemma per step of the certificate and the theorem ``net_collapse``::

        forall x, length x = p -> eval net x = affine Wstar bstar x

    ``standalone=True`` inlines the library ``SymnetLinear.v`` so that
    ``coqc Net.v`` checks the file on its own; with ``False`` the file
    starts ``From Symnet Require Import SymnetLinear.`` (compile the shipped
    library with ``coqc -Q DIR Symnet DIR/SymnetLinear.v``).  Symbolic
    networks are stated over R with their parameters as section variables;
    numeric ones over exact rationals (``Q``, read into R by ``Q2R``).
    Raises CertificateError if the kernel rejects the certificate,
    CoqExportError if it cannot be exported.
    """
    st = linear_statement(certificate)
    return _print_linear(st, standalone)


def _print_linear(st: LinearStatement, standalone: bool) -> str:
    w = _LinearWriter(st)
    out = w.header(standalone) + w.layers() + w.claim_and_factors() + w.step_lemmas() + w.conclusion()
    return "\n".join(out) + "\n"


class _LinearWriter:
    """The names of a linear certificate's Coq file and its sections, in the order they are written."""

    def __init__(self, st: LinearStatement) -> None:
        self.st = st
        L = self.L = len(st.layers) - 1  # hidden layers
        self.params = _parameters(st)
        reserved = {f"W_{i}" for i in range(1, L + 2)} | {f"b_{i}" for i in range(1, L + 2)}
        reserved |= {f"layer_{i}" for i in range(1, L + 2)} | {f"act_{i}" for i in range(1, L + 2)}
        reserved |= {f"P_{i}" for i in range(1, L + 2)} | {"net", "substitutions", "product", "read_output_layer"}
        reserved |= {f"substitute_layer_{i}" for i in range(1, L + 2)} | {"net_collapse", "Net", "NetParameters", "Par"}
        self.idents = coq_identifiers(self.params, reserved | _LIBRARY_NAMES)
        # the activations' bound variable gets its own name: t, or t<n> if that is taken
        taken = set(self.idents.values()) | reserved | _COQ_KEYWORDS
        self.bound = next(v for v in ["t"] + [f"t{i}" for i in range(1, len(taken) + 2)] if v not in taken)
        self.numeric = st.numeric
        self.tac = "entries"
        self.R = _Printer(self.idents, "R")
        self.Qp = _Printer(self.idents, "Q") if self.numeric else self.R
        self.mat_t = "list (list Q)" if self.numeric else "matrix"
        self.vec_t = "list Q" if self.numeric else "vector"
        self.hidden_order = list(range(L, 0, -1))
        self.factors_list = _row([f"P_{l}" for l in self.hidden_order])
        self.lifted_factors = _row([self.liftM(f"P_{l}") for l in self.hidden_order])

    def liftM(self, s: str) -> str:
        return f"(liftM {s})" if self.numeric else s

    def liftV(self, s: str) -> str:
        return f"(liftV {s})" if self.numeric else s

    def _q_scope(self, lines: list[str]) -> list[str]:
        """``lines`` inside ``Q_scope`` when the certificate is numeric."""
        return ["Open Scope Q_scope.", *lines, "Close Scope Q_scope."] if self.numeric else lines

    def header(self, standalone: bool) -> list[str]:
        """The opening comments, imports, and the parameters' module type."""
        st, params, idents = self.st, self.params, self.idents
        out = [_comment(f"Generated by symnet from a kernel-checked certificate: {st.description}.")]
        out.append(
            _comment(
                "The network's collapse identity, proved layer by layer as the certificate states it: "
                "read_output_layer, one substitute_layer per hidden layer, conclude_linear_form. "
                "Check with: coqc THIS_FILE.v"
            )
        )
        out.append("")
        out.append("From Coq Require Import Reals List Lra QArith Qreals.")
        out.append(_prelude("SymnetLinear", standalone))
        out.append("Import ListNotations.")
        out.append("Open Scope R_scope.")
        out.append("")
        if params:
            out.append(
                _comment(
                    "The network's parameters, arbitrary reals (symnet name -> Coq name): "
                    + ", ".join(f"{n} -> {idents[n]}" for n in params[:50])
                    + (" ..." if len(params) > 50 else "")
                    + ". Net below is a functor over them: its theorem holds for every value of every parameter."
                )
            )
            out.append("Module Type NetParameters.")
            for i in range(0, len(params), 12):
                out.append("  Parameters " + " ".join(idents[n] for n in params[i : i + 12]) + " : R.")
            out.append("End NetParameters.")
            out.append("")
            out.append("Module Net (Import Par : NetParameters).")
        else:
            out.append("Module Net.")
        out.append("")
        return out

    def layers(self) -> list[str]:
        """Every layer's weights, biases, activation, and ``net``."""
        st, L, Qp, bound = self.st, self.L, self.Qp, self.bound
        data = []
        for i, lay in enumerate(st.layers, start=1):
            kind = "the output layer" if i == L + 1 else f"hidden layer {i}"
            data.append(
                _comment(
                    f"Layer {i} ({kind}): W_{i} is {len(lay.weights)} x {len(lay.weights[0])}, activation {lay.label}."
                )
            )
            data.append(f"Definition W_{i} : {self.mat_t} :=\n  {_matrix_text(lay.weights, Qp)}.")
            data.append(f"Definition b_{i} : {self.vec_t} := {_vector_text(lay.biases, Qp)}.")
        out = self._q_scope(data)
        for i, lay in enumerate(st.layers, start=1):
            if lay.body is None:
                out.append(f"Definition act_{i} ({bound} : R) : R := {bound}.")
            else:
                pr = _Printer({**self.idents, lay.variable: bound}, "R")
                out.append(f"Definition act_{i} ({bound} : R) : R := {pr(lay.body)}.")
            out.append(
                f"Definition layer_{i} : layer := mk_layer {self.liftM(f'W_{i}')} {self.liftV(f'b_{i}')} act_{i}."
            )
        out.append("Definition net : list layer := " + _row([f"layer_{i}" for i in range(1, L + 2)]) + ".")
        out.append("")
        return out

    def claim_and_factors(self) -> list[str]:
        """The stated claim (explicit, or as a product) and the steps' data C and P_l."""
        st, Qp = self.st, self.Qp
        out: list[str] = []
        if st.claim is not None:
            W, b = st.claim
            out += self._q_scope(
                [
                    _comment(f"The claim: the network computes x |-> Wstar x + bstar, Wstar being {st.q} x {st.p}."),
                    f"Definition Wstar : {self.mat_t} :=\n  {_matrix_text(W, Qp)}.",
                    f"Definition bstar : {self.vec_t} := {_vector_text(b, Qp)}.",
                ]
            )
        data = [_comment("read_output_layer: the stated output row C = [b_L+1 | W_L+1].")]
        data.append(f"Definition C : {self.mat_t} :=\n  {_matrix_text(st.output_row, Qp)}.")
        for layer_no, factor in zip(self.hidden_order, st.factors, strict=True):
            data.append(
                _comment(
                    f"substitute_layer {layer_no}: the stated factor P_{layer_no} = [[1, 0], [a b_{layer_no} + d, a "
                    f"W_{layer_no}]]."
                )
            )
            data.append(f"Definition P_{layer_no} : {self.mat_t} :=\n  {_matrix_text(factor, Qp)}.")
        out += self._q_scope(data)
        if st.claim is None:
            out.append(
                _comment("The claim in product form: [bstar | Wstar] = C P_L ... P_1, as the certificate states it.")
            )
            out.append(f"Definition Wstar : matrix := map (@tl R) (prod {self.liftM('C')} {self.lifted_factors}).")
            out.append(f"Definition bstar : vector := map (hd 0) (prod {self.liftM('C')} {self.lifted_factors}).")
        out.append("")
        return out

    def step_lemmas(self) -> list[str]:
        """read_output_layer, one substitute_layer per hidden layer, and their chain."""
        L, bound, tac, out_i = self.L, self.bound, self.tac, self.L + 1
        out = [_comment(f"Step read_output_layer: the output layer {out_i} reads y_hat = C (1, y).")]
        out.append(f"Lemma read_output_layer : forall y, eval_layer layer_{out_i} y = mv {self.liftM('C')} (1 :: y).")
        if self.numeric:
            out.append(
                f"Proof. apply (read_output_Q W_{out_i} b_{out_i} act_{out_i} C); [intros {bound}; reflexivity | "
                f"vm_compute; reflexivity]. Qed."
            )
        else:
            out.append(
                f"Proof. apply (read_output_spec W_{out_i} b_{out_i} act_{out_i} C); "
                f"[intros {bound}; reflexivity | ].\n"
                f"  cbv beta iota delta [C bcols zip_with W_{out_i} b_{out_i}]. {tac}. Qed."
            )
        for layer_no in self.hidden_order:
            out += self._substitute_lemma(layer_no)
        term = "chain_nil"
        for layer_no in range(1, L + 1):
            term = f"(chain_step _ _ layer_{layer_no} _ {term} substitute_layer_{layer_no})"
        hidden_list = _row([f"layer_{i}" for i in range(1, L + 1)])
        out.append(_comment("The substitutions chain together: (1, u_L) = P_L ... P_1 (1, x)."))
        out.append(f"Lemma substitutions : chain {hidden_list} {self.lifted_factors}.")
        out.append(f"Proof. exact {term}. Qed.")
        out.append("")
        return out

    def _substitute_lemma(self, layer_no: int) -> list[str]:
        """The lemma of step substitute_layer ``layer_no``: ``(1, u_l) = P_l (1, u_l-1)``."""
        lay = self.st.layers[layer_no - 1]
        bound, tac = self.bound, self.tac
        n = len(lay.weights[0])
        assert lay.slope is not None and lay.intercept is not None
        out = [
            _comment(
                f"Step substitute_layer {layer_no}: its activation is t |-> a t + d, so (1, u_{layer_no}) = "
                f"P_{layer_no} (1, u_{layer_no - 1})."
            )
        ]
        out.append(
            f"Lemma substitute_layer_{layer_no} : forall u, 1 :: eval_layer layer_{layer_no} u = mv "
            f"{self.liftM(f'P_{layer_no}')} (1 :: u)."
        )
        if self.numeric:
            a, d = self.Qp(lay.slope), self.Qp(lay.intercept)
            if lay.body is None:
                hyp = f"intros {bound}; unfold act_{layer_no}; apply act_id_Q"
            else:
                hyp = f"intros {bound}; unfold act_{layer_no}, Q2R; cbn [Qnum Qden]; field"
            out.append(
                f"Proof. apply (substitute_Q {a}%Q {d}%Q W_{layer_no} b_{layer_no} {n}%nat act_{layer_no} "
                f"P_{layer_no}); [{hyp} | vm_compute; reflexivity]. Qed."
            )
        elif lay.body is None and _is_one(lay.slope) and _is_zero(lay.intercept):
            out.append(
                f"Proof. apply (substitute_id_spec W_{layer_no} b_{layer_no} {n}%nat act_{layer_no} "
                f"P_{layer_no}); [intros {bound}; reflexivity | ].\n"
                f"  first [reflexivity | cbv beta iota delta [P_{layer_no} aug_id bcols zip_with repeat "
                f"W_{layer_no} b_{layer_no}]; {tac}]. Qed."
            )
        else:
            a, d = self.R(lay.slope), self.R(lay.intercept)
            out.append(
                f"Proof. apply (substitute_spec {a} {d} W_{layer_no} b_{layer_no} {n}%nat act_{layer_no} "
                f"P_{layer_no}); [intros {bound}; unfold act_{layer_no}; entry | ].\n"
                f"  cbv beta iota delta [P_{layer_no} aug vscale map zip_with repeat W_{layer_no} "
                f"b_{layer_no}]. {tac}. Qed."
            )
        return out

    def conclusion(self) -> list[str]:
        """The product lemma, the theorem ``net_collapse`` and the axioms check."""
        st, params, factors_list = self.st, self.params, self.factors_list
        out: list[str] = []
        wstar = self.liftM("Wstar") if st.claim is not None else "Wstar"
        bstar = self.liftV("bstar") if st.claim is not None else "bstar"
        if st.claim is not None:
            out.append(_comment("Step conclude_linear_form: the claim is the product C P_L ... P_1."))
            if self.numeric:
                out.append(f"Lemma product : meqb (prodQ C {factors_list}) (bcolsQ bstar Wstar) = true.")
                out.append("Proof. vm_compute. reflexivity. Qed.")
            else:
                out.append(f"Lemma product : prod C {factors_list} = bcols bstar Wstar.")
                defs = " ".join(["C", "Wstar", "bstar"] + [f"P_{l}" for l in self.hidden_order])
                out.append(
                    f"Proof. cbv beta iota delta [prod mm vm vadd vscale map bcols zip_with {defs}]. {self.tac}. Qed."
                )
        out.append("")
        out.append(
            _comment(f"The theorem: for every input x of length {st.p}, the network's output is Wstar x + bstar.")
        )
        out.append(
            f"Theorem net_collapse : forall x : vector, length x = {st.p}%nat -> eval net x = affine {wstar} {bstar} x."
        )
        hidden_list = _row([f"layer_{i}" for i in range(1, self.L + 1)])
        out.append("Proof.")
        out.append(f"  intros x _. change net with ({hidden_list} ++ [layer_{self.L + 1}]).")
        out.append("  rewrite (collapse _ _ _ _ read_output_layer substitutions x).")
        if st.claim is None:
            out.append("  apply conclude_product.")
        elif self.numeric:
            out.append(f"  exact (conclude_Q C {factors_list} Wstar bstar product x).")
        else:
            out.append("  apply conclude_explicit. exact product.")
        out.append("Qed.")
        out.append("")
        if params:
            out.append(_comment("Only the parameters above and the standard axioms of Coq's reals may be listed here."))
            if len(params) <= MAX_LISTED_PARAMETERS:
                out.append("Print Assumptions net_collapse.")
            else:  # listing tens of thousands of parameters takes longer than the proof
                out.append(
                    _comment(f"{len(params)} parameters: run Print Assumptions net_collapse. here to list them.")
                )
        out.append("End Net.")
        if not params:
            out.append("")
            out.append(_comment("Only the standard axioms of Coq's reals may be listed here."))
            out.append("Print Assumptions Net.net_collapse.")
        return out


def _is_one(t: Term) -> bool:
    return t.kind == "num" and t.value == 1


def _is_zero(t: Term) -> bool:
    return t.kind == "num" and t.value == 0
