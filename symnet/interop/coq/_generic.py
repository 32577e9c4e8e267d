"""Coq export of a generic certificate: the collapse for every size, from the rules of SymnetGeneric.v."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    proof = certificate
    net = proof.network
    L = net.depth
    budget = [MAX_TERM_NODES]
    coeffs = [affine_coefficients(a) for a in net.activations]
    sizes = [s.name for s in net.size_symbols]
    atoms = [net.weight(l).name for l in range(1, L + 2)] + [net.bias(l).name for l in range(1, L + 2)]
    act_terms = [None if a.is_identity else to_term(a.expr, budget=budget) for a in net.activations]
    params: list[str] = []
    for activation, coeff in zip(net.activations, coeffs, strict=True):
        assert coeff is not None  # the kernel accepted: every activation is affine
        params += [s.name for s in activation.parameters]
    params = list(dict.fromkeys(params))
    reserved = set(_GENERIC_NAMES) | {f"act_{l}" for l in range(1, L + 1)} | {f"layer_{l}" for l in range(1, L + 1)}
    reserved |= {f"step_{r}" for r in ("read_output_layer", "apply_output_row", "conclude_linear_form")}
    idents = coq_identifiers(sizes + atoms + params, reserved | _GENERIC_LIBRARY_NAMES)
    taken = set(idents.values())
    bound = "t" if "t" not in taken else next(f"t{i}" for i in range(1, 10**6) if f"t{i}" not in taken)
    gp = _GenericPrinter(idents, budget)
    sz = gp.size
    out: list[str] = []
    out.append(_comment(f"Generated by symnet from a kernel-checked generic certificate: {net!r}."))
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
    if sizes:
        out.append(_comment("The symbolic sizes: any natural numbers."))
        out.append("Variables " + " ".join(idents[n] for n in sizes) + " : nat.")
    out.append(_comment("The layers' weights and biases: any matrices and vectors of those sizes."))
    for l in range(1, L + 2):
        out.append(f"Variables ({idents[net.weight(l).name]} : mat) ({idents[net.bias(l).name]} : vec).")
    if params:
        out.append("Variables " + " ".join(idents[n] for n in params) + " : R.")
    for l in range(1, L + 1):
        act_term = act_terms[l - 1]
        var = net.activations[l - 1].variable.name
        body = bound if act_term is None else _Printer({**idents, var: bound}, "R")(act_term)
        out.append(f"Definition act_{l} ({bound} : R) : R := {body}.")
        out.append(
            f"Definition layer_{l} (u : vec) : vec := layer {sz(net.sizes[l - 1])} "
            f"{idents[net.weight(l).name]} {idents[net.bias(l).name]} act_{l} u."
        )
    out.append(
        f"Definition output (y : vec) : vec := vadd (mv {sz(net.sizes[L])} {idents[net.weight(L + 1).name]} y) "
        f"{idents[net.bias(L + 1).name]}."
    )
    inner = "x"
    for l in range(1, L + 1):
        inner = f"(layer_{l} {inner})"
    out.append(f"Definition net (x : vec) : vec := output {inner}.")
    out.append("")
    out.append(
        _comment(
            f"The claim: y_hat = Wstar x + bstar with Wstar = {_lin_plain(proof.matrix)}, bstar = "
            f"{_lin_plain(proof.offset)}."
        )
    )
    out.append(f"Definition Wstar : mat := {gp.lin(proof.matrix, False)}.")
    out.append(f"Definition bstar : vec := {gp.lin(proof.offset, True)}.")
    out.append("")
    rewrites: list[str] = []
    factors: dict[int, tuple[str, str]] = {}
    acc: tuple[str, str] | None = None  # the (v, M) of layers 1..l so far
    final: tuple[str, str] | None = None
    out_row = ("", "")
    for step in proof.steps:
        rule, l, value = step.rule, step.layer, step.value
        if rule == "read_output_layer":
            out.append(_comment("read_output_layer: W u + b = [b | W] (1, u)."))
            c, C = gp.lin(value.c, True), gp.lin(value.C, False)
            out.append(f"Lemma step_read_output_layer : forall y, output y = aff {sz(net.sizes[L])} {c} {C} y.")
            out.append("Proof. intros y. unfold output. rewrite rule_read_output_layer. lin_solve. Qed.")
            out_row = (c, C)
        elif rule == "substitute_layer":
            a, d = coeffs[l - 1]  # type: ignore[misc]
            at, dt = gp.scalar(to_term(a, budget=budget)), gp.scalar(to_term(d, budget=budget))
            V, M = gp.lin(value.v, True), gp.lin(value.M, False)
            out.append(_comment(f"substitute_layer {l}: (1, a (W u + b) + d 1) = [[1, 0], [a b + d 1, a W]] (1, u)."))
            out.append(
                f"Lemma step_substitute_layer_{l} : forall u, layer_{l} u = aff {sz(net.sizes[l - 1])} {V} {M} u."
            )
            out.append(
                f"Proof. intros u. unfold layer_{l}.\n"
                f"  rewrite (rule_substitute_layer {sz(net.sizes[l - 1])} {idents[net.weight(l).name]} "
                f"{idents[net.bias(l).name]} act_{l} {at} {dt} u) by (intros {bound}; unfold act_{l}; ring).\n"
                "  lin_solve. Qed."
            )
            rewrites.append(f"step_substitute_layer_{l}")
            if l == 1:
                acc = (V, M)
            factors[l] = (V, M)
        elif rule == "multiply_augmented":
            assert acc is not None
            V, M = factors[l]
            nv, nm = gp.lin(value.v, True), gp.lin(value.M, False)
            out.append(
                _comment(f"multiply_augmented {l}: [[1, 0], [c, V]] [[1, 0], [v, M]] = [[1, 0], [c + V v, V M]].")
            )
            out.append(
                f"Lemma step_multiply_augmented_{l} : forall u, aff {sz(net.sizes[l - 1])} {V} {M} "
                f"(aff {sz(net.p)} {acc[0]} {acc[1]} u) = aff {sz(net.p)} {nv} {nm} u."
            )
            out.append("Proof. intros u. rewrite rule_multiply_augmented. lin_solve. Qed.")
            rewrites.append(f"step_multiply_augmented_{l}")
            acc = (nv, nm)
        elif rule == "apply_output_row":
            assert acc is not None
            c, C = out_row
            nc, nC = gp.lin(value.c, True), gp.lin(value.C, False)
            out.append(_comment("apply_output_row: [c | C] [[1, 0], [v, M]] = [c + C v | C M]."))
            out.append(
                f"Lemma step_apply_output_row : forall u, aff {sz(net.sizes[L])} {c} {C} "
                f"(aff {sz(net.p)} {acc[0]} {acc[1]} u) = aff {sz(net.p)} {nc} {nC} u."
            )
            out.append("Proof. intros u. rewrite rule_apply_output_row. lin_solve. Qed.")
            final = (nc, nC)
        elif rule == "conclude_linear_form":
            c, C = final if final is not None else out_row
            out.append(_comment("conclude_linear_form: [c | C] (1, x) = C x + c."))
            out.append(
                f"Lemma step_conclude_linear_form : forall x, aff {sz(net.p)} {c} {C} x = vadd (mv {sz(net.p)} "
                f"Wstar x) bstar."
            )
            out.append("Proof. intros x. rewrite rule_conclude_linear_form. unfold Wstar, bstar. lin_solve. Qed.")
        elif rule == "factor_rank":
            out.append(
                _comment(
                    "factor_rank (the rank bound of Wstar) is checked by symnet's generic kernel and not exported."
                )
            )
    out.append("")
    out.append(
        _comment("The theorem: for all sizes, all weights and every input x, the network computes Wstar x + bstar.")
    )
    out.append(f"Theorem net_collapse : forall x, net x = vadd (mv {sz(net.p)} Wstar x) bstar.")
    steps = rewrites + ["step_read_output_layer"] + (["step_apply_output_row"] if L else [])
    out.append(
        f"Proof.\n  intros x. unfold net.\n  rewrite {', '.join(steps)}.\n  apply step_conclude_linear_form.\nQed."
    )
    out.append("")
    out.append("End Generic.")
    out.append("")
    out.append(_comment("Only the standard axioms of Coq's reals (and functional extensionality) may be listed here."))
    out.append("Print Assumptions net_collapse.")
    return "\n".join(out) + "\n"


def _lin_plain(x: Any) -> str:
    """A Lin as plain text for a comment (``c_0 + C b_0``)."""
    if not x.terms:
        return "0"
    parts = []
    for word, coeff in x.terms:
        w = " ".join(a.txt or a.name for a in word)
        parts.append(w if coeff == 1 else f"({sympy.sstr(coeff)}) {w}")
    return " + ".join(parts)
