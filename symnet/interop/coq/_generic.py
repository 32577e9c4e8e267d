"""Coq export of a generic certificate: the collapse for every size, from the rules of SymnetGeneric.v."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sympy

from ...kernel.generic import affine_coefficients
from ...kernel.generic import check as generic_check
from ...model.generic import GenericCertificate
from ._base import MAX_TERM_NODES, CoqExportError, _comment, _prelude, _Printer, coq_identifiers, to_term
from ._linear import _is_one

_GENERIC_LIBRARY_NAMES = frozenset(
    """sum_plus sum_scale sum_zero sum_ext sum_swap mv_vadd mv_vscale mv_madd mv_mscale mv_vzero mv_mzero mv_mm
    rule_read_output_layer rule_substitute_layer rule_multiply_augmented rule_apply_output_row rule_conclude_linear_form
    functional_extensionality x u y""".split()
)
_GENERIC_NAMES = frozenset(
    """vec mat sum mv mm vadd vscale madd mscale ones vzero mzero vmap layer aff output net Wstar bstar lin_push
    lin_solve""".split()
)


class _GenericPrinter:
    """Prints the matrix expressions (Lin) of a generic certificate in SymnetGeneric.v's terms."""

    def __init__(self, idents: Mapping[str, str], budget: list[int]) -> None:
        self.idents = idents
        self.scalar = _Printer(idents, "R")
        self.budget = budget

    def size(self, n: sympy.Expr) -> str:
        if n.is_Integer:
            return f"{int(n)}%nat"
        return self.idents[n.name]

    def atom(self, a: Any) -> str:
        if a.name.startswith("1["):
            return "ones"
        return self.idents[a.name]

    @staticmethod
    def is_leaf(a: Any) -> bool:
        return bool(a.name.startswith(("b_", "1[")))

    def word(self, word: Sequence[Any], vector: bool) -> str:
        if vector:
            if not self.is_leaf(word[-1]) or any(self.is_leaf(a) for a in word[:-1]):
                raise CoqExportError(f"the vector term {[a.name for a in word]} is not matrices applied to a bias or 1")
            out = self.atom(word[-1])
            for a in reversed(word[:-1]):
                out = f"(mv {self.size(a.cols)} {self.atom(a)} {out})"
            return out
        if any(self.is_leaf(a) for a in word):
            raise CoqExportError(f"the matrix term {[a.name for a in word]} contains a vector")
        out = self.atom(word[-1])
        for a in reversed(word[:-1]):
            out = f"(mm {self.size(a.cols)} {self.atom(a)} {out})"
        return out

    def lin(self, x: Any, vector: bool) -> str:
        if not x.terms:
            return "vzero" if vector else "mzero"
        parts = []
        for word, coeff in x.terms:
            body = self.word(word, vector)
            t = to_term(coeff, budget=self.budget)
            if not _is_one(t):
                body = f"({'vscale' if vector else 'mscale'} {self.scalar(t)} {body})"
            parts.append(body)
        out = parts[-1]
        for part in reversed(parts[:-1]):
            out = f"({'vadd' if vector else 'madd'} {part} {out})"
        return out


def generic_to_coq(certificate: GenericCertificate, *, standalone: bool = True) -> str:
    """A Coq file stating a generic certificate's collapse for every size, proved step by step from the rules.

    The sizes (``p``, ``h``, ...) are section variables of type ``nat`` and
    the layers' matrices and biases arbitrary functions, so the theorem
    ``net_collapse : forall x, net x = vadd (mv p Wstar x) bstar`` holds,
    after the section closes, for all sizes and all weights.  Each step of
    the certificate is one lemma proved from its rule in ``SymnetGeneric.v``
    (the rank bound, ``factor_rank``, is not exported).  Raises
    CertificateError if symnet's generic kernel rejects the certificate.
    """
    if not isinstance(certificate, GenericCertificate):
        raise CoqExportError(f"expected a GenericCertificate, got {type(certificate).__name__}")
    generic_check(certificate)  # raises CertificateError: only what the kernel accepted is exported
    w = _GenericWriter(certificate)
    out = w.header(standalone) + w.definitions()
    for step in certificate.steps:
        writer = _STEP_WRITERS.get(step.rule)
        if writer is None:  # pragma: no cover - the kernel accepts only these rules
            raise CoqExportError(f"no Coq lemma for the rule {step.rule!r}")
        writer(w, step.layer, step.value)
    return "\n".join(out + w.out + w.theorem()) + "\n"


class _GenericWriter:
    """The names of a generic certificate's Coq file, and its step lemmas as they are written."""

    def __init__(self, proof: GenericCertificate) -> None:
        self.proof = proof
        net = self.net = proof.network
        L = self.L = net.depth
        self.budget = [MAX_TERM_NODES]
        self.coeffs = [affine_coefficients(a) for a in net.activations]
        self.sizes = [s.name for s in net.size_symbols]
        atoms = [net.weight(l).name for l in range(1, L + 2)] + [net.bias(l).name for l in range(1, L + 2)]
        self.act_terms = [None if a.is_identity else to_term(a.expr, budget=self.budget) for a in net.activations]
        params: list[str] = []
        for activation, coeff in zip(net.activations, self.coeffs, strict=True):
            assert coeff is not None  # the kernel accepted: every activation is affine
            params += [s.name for s in activation.parameters]
        self.params = list(dict.fromkeys(params))
        reserved = set(_GENERIC_NAMES) | {f"act_{l}" for l in range(1, L + 1)}
        reserved |= {f"layer_{l}" for l in range(1, L + 1)}
        reserved |= {f"step_{r}" for r in ("read_output_layer", "apply_output_row", "conclude_linear_form")}
        self.idents = coq_identifiers(self.sizes + atoms + self.params, reserved | _GENERIC_LIBRARY_NAMES)
        taken = set(self.idents.values())
        self.bound = "t" if "t" not in taken else next(f"t{i}" for i in range(1, 10**6) if f"t{i}" not in taken)
        self.gp = _GenericPrinter(self.idents, self.budget)
        self.sz = self.gp.size
        self.out: list[str] = []
        self.rewrites: list[str] = []
        self.factors: dict[int, tuple[str, str]] = {}
        self.acc: tuple[str, str] | None = None  # the (v, M) of layers 1..l so far
        self.final: tuple[str, str] | None = None
        self.out_row = ("", "")

    def _w(self, l: int) -> str:
        return self.idents[self.net.weight(l).name]

    def _b(self, l: int) -> str:
        return self.idents[self.net.bias(l).name]

    def header(self, standalone: bool) -> list[str]:
        """The opening comments, imports and the section's variables."""
        out = [_comment(f"Generated by symnet from a kernel-checked generic certificate: {self.net!r}.")]
        out.append(
            _comment(
                "The collapse identity for EVERY value of the sizes, proved step by step from the rules of "
                "SymnetGeneric.v. Check with: coqc THIS_FILE.v"
            )
        )
        out.append("")
        out.append("From Coq Require Import Reals Lra FunctionalExtensionality.")
        out.append(_prelude("SymnetGeneric", standalone))
        out.append("Open Scope R_scope.")
        out.append("")
        out.append("Section Generic.")
        if self.sizes:
            out.append(_comment("The symbolic sizes: any natural numbers."))
            out.append("Variables " + " ".join(self.idents[n] for n in self.sizes) + " : nat.")
        out.append(_comment("The layers' weights and biases: any matrices and vectors of those sizes."))
        for l in range(1, self.L + 2):
            out.append(f"Variables ({self._w(l)} : mat) ({self._b(l)} : vec).")
        if self.params:
            out.append("Variables " + " ".join(self.idents[n] for n in self.params) + " : R.")
        return out

    def definitions(self) -> list[str]:
        """The activations, layers, network and the claim ``Wstar``, ``bstar``."""
        net, L, sz, bound = self.net, self.L, self.sz, self.bound
        out = []
        for l in range(1, L + 1):
            act_term = self.act_terms[l - 1]
            var = net.activations[l - 1].variable.name
            body = bound if act_term is None else _Printer({**self.idents, var: bound}, "R")(act_term)
            out.append(f"Definition act_{l} ({bound} : R) : R := {body}.")
            out.append(
                f"Definition layer_{l} (u : vec) : vec := layer {sz(net.sizes[l - 1])} "
                f"{self._w(l)} {self._b(l)} act_{l} u."
            )
        out.append(
            f"Definition output (y : vec) : vec := vadd (mv {sz(net.sizes[L])} {self._w(L + 1)} y) {self._b(L + 1)}."
        )
        inner = "x"
        for l in range(1, L + 1):
            inner = f"(layer_{l} {inner})"
        out.append(f"Definition net (x : vec) : vec := output {inner}.")
        out.append("")
        proof = self.proof
        out.append(
            _comment(
                f"The claim: y_hat = Wstar x + bstar with Wstar = {_lin_plain(proof.matrix)}, bstar = "
                f"{_lin_plain(proof.offset)}."
            )
        )
        out.append(f"Definition Wstar : mat := {self.gp.lin(proof.matrix, False)}.")
        out.append(f"Definition bstar : vec := {self.gp.lin(proof.offset, True)}.")
        out.append("")
        return out

    # ------------------------------------------------------------- one lemma per step
    def read_output_layer(self, l: int, value: Any) -> None:
        gp, out = self.gp, self.out
        out.append(_comment("read_output_layer: W u + b = [b | W] (1, u)."))
        c, C = gp.lin(value.c, True), gp.lin(value.C, False)
        out.append(
            f"Lemma step_read_output_layer : forall y, output y = aff {self.sz(self.net.sizes[self.L])} {c} {C} y."
        )
        out.append("Proof. intros y. unfold output. rewrite rule_read_output_layer. lin_solve. Qed.")
        self.out_row = (c, C)

    def substitute_layer(self, l: int, value: Any) -> None:
        gp, out, size = self.gp, self.out, self.sz(self.net.sizes[l - 1])
        a, d = self.coeffs[l - 1]  # type: ignore[misc]
        at, dt = gp.scalar(to_term(a, budget=self.budget)), gp.scalar(to_term(d, budget=self.budget))
        V, M = gp.lin(value.v, True), gp.lin(value.M, False)
        out.append(_comment(f"substitute_layer {l}: (1, a (W u + b) + d 1) = [[1, 0], [a b + d 1, a W]] (1, u)."))
        out.append(f"Lemma step_substitute_layer_{l} : forall u, layer_{l} u = aff {size} {V} {M} u.")
        out.append(
            f"Proof. intros u. unfold layer_{l}.\n"
            f"  rewrite (rule_substitute_layer {size} {self._w(l)} "
            f"{self._b(l)} act_{l} {at} {dt} u) by (intros {self.bound}; unfold act_{l}; ring).\n"
            "  lin_solve. Qed."
        )
        self.rewrites.append(f"step_substitute_layer_{l}")
        if l == 1:
            self.acc = (V, M)
        self.factors[l] = (V, M)

    def multiply_augmented(self, l: int, value: Any) -> None:
        assert self.acc is not None
        gp, out, sz, acc = self.gp, self.out, self.sz, self.acc
        V, M = self.factors[l]
        nv, nm = gp.lin(value.v, True), gp.lin(value.M, False)
        out.append(_comment(f"multiply_augmented {l}: [[1, 0], [c, V]] [[1, 0], [v, M]] = [[1, 0], [c + V v, V M]]."))
        out.append(
            f"Lemma step_multiply_augmented_{l} : forall u, aff {sz(self.net.sizes[l - 1])} {V} {M} "
            f"(aff {sz(self.net.p)} {acc[0]} {acc[1]} u) = aff {sz(self.net.p)} {nv} {nm} u."
        )
        out.append("Proof. intros u. rewrite rule_multiply_augmented. lin_solve. Qed.")
        self.rewrites.append(f"step_multiply_augmented_{l}")
        self.acc = (nv, nm)

    def apply_output_row(self, l: int, value: Any) -> None:
        assert self.acc is not None
        gp, out, sz, acc = self.gp, self.out, self.sz, self.acc
        c, C = self.out_row
        nc, nC = gp.lin(value.c, True), gp.lin(value.C, False)
        out.append(_comment("apply_output_row: [c | C] [[1, 0], [v, M]] = [c + C v | C M]."))
        out.append(
            f"Lemma step_apply_output_row : forall u, aff {sz(self.net.sizes[self.L])} {c} {C} "
            f"(aff {sz(self.net.p)} {acc[0]} {acc[1]} u) = aff {sz(self.net.p)} {nc} {nC} u."
        )
        out.append("Proof. intros u. rewrite rule_apply_output_row. lin_solve. Qed.")
        self.final = (nc, nC)

    def conclude_linear_form(self, l: int, value: Any) -> None:
        c, C = self.final if self.final is not None else self.out_row
        p = self.sz(self.net.p)
        self.out.append(_comment("conclude_linear_form: [c | C] (1, x) = C x + c."))
        self.out.append(f"Lemma step_conclude_linear_form : forall x, aff {p} {c} {C} x = vadd (mv {p} Wstar x) bstar.")
        self.out.append("Proof. intros x. rewrite rule_conclude_linear_form. unfold Wstar, bstar. lin_solve. Qed.")

    def factor_rank(self, l: int, value: Any) -> None:
        self.out.append(
            _comment("factor_rank (the rank bound of Wstar) is checked by symnet's generic kernel and not exported.")
        )

    def theorem(self) -> list[str]:
        """``net_collapse`` from the step lemmas, and the axioms check."""
        out = [""]
        out.append(
            _comment("The theorem: for all sizes, all weights and every input x, the network computes Wstar x + bstar.")
        )
        out.append(f"Theorem net_collapse : forall x, net x = vadd (mv {self.sz(self.net.p)} Wstar x) bstar.")
        steps = self.rewrites + ["step_read_output_layer"] + (["step_apply_output_row"] if self.L else [])
        out.append(
            f"Proof.\n  intros x. unfold net.\n  rewrite {', '.join(steps)}.\n  apply step_conclude_linear_form.\nQed."
        )
        out.append("")
        out.append("End Generic.")
        out.append("")
        out.append(
            _comment("Only the standard axioms of Coq's reals (and functional extensionality) may be listed here.")
        )
        out.append("Print Assumptions net_collapse.")
        return out


#: The lemma writer of each rule of a generic certificate.
_STEP_WRITERS: dict[str, Callable[[_GenericWriter, int, Any], None]] = {
    "read_output_layer": _GenericWriter.read_output_layer,
    "substitute_layer": _GenericWriter.substitute_layer,
    "multiply_augmented": _GenericWriter.multiply_augmented,
    "apply_output_row": _GenericWriter.apply_output_row,
    "conclude_linear_form": _GenericWriter.conclude_linear_form,
    "factor_rank": _GenericWriter.factor_rank,
}


def _lin_plain(x: Any) -> str:
    """A Lin as plain text for a comment (``c_0 + C b_0``)."""
    if not x.terms:
        return "0"
    parts = []
    for word, coeff in x.terms:
        w = " ".join(a.txt or a.name for a in word)
        parts.append(w if coeff == 1 else f"({sympy.sstr(coeff)}) {w}")
    return " + ".join(parts)
