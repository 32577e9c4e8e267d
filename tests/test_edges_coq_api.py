"""The Coq exporters take certificate data, re-check it with the kernel, and import no result or search module."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest
import sympy

import symnet
from symnet.errors import CertificateError
from symnet.interop import coq
from symnet.interop.coq import CoqExportError

PACKAGE = Path(coq.__file__).parent


def test_the_coq_package_imports_no_result_or_search_module() -> None:
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                module = "." * node.level + (node.module or "")
                assert not any(part in module.split(".") for part in ("proof", "search", "results")), (
                    path.name,
                    module,
                )
            assert not isinstance(node, ast.Import) or all("symnet" not in a.name for a in node.names)
        assert len(path.read_text().splitlines()) <= 500, path.name


def test_proof_to_coq_takes_a_certificate() -> None:
    cert = symnet.prove(symnet.dense(2, [2])).certificate
    text = coq.proof_to_coq(cert)
    assert "Theorem net_collapse" in text


def test_a_certificate_the_kernel_rejects_is_not_exported() -> None:
    cert = symnet.prove(symnet.Network.from_matrices([[[1, 2]]], [[3]])).certificate
    assert cert.claim.matrix is not None
    wrong = dataclasses.replace(cert.claim, matrix=sympy.ImmutableMatrix([[1, 5]]))
    with pytest.raises(CertificateError):
        coq.proof_to_coq(dataclasses.replace(cert, claim=wrong))


@pytest.mark.parametrize("bad", ["not a certificate", 3, None])
def test_every_exporter_refuses_what_is_not_certificate_data(bad: object) -> None:
    for export in (coq.proof_to_coq, coq.generic_to_coq, coq.counterexample_to_coq):
        with pytest.raises(CoqExportError):
            export(bad)  # type: ignore[arg-type]


def test_generic_to_coq_takes_a_generic_certificate() -> None:
    cert = symnet.prove(symnet.dense("p", ["h"])).certificate
    assert "Variables p" in coq.generic_to_coq(cert)


def test_counterexample_to_coq_takes_the_counterexample_data() -> None:
    t = sympy.Symbol("t")
    act = symnet.Activation(None, sympy.Lambda(t, sympy.Max(t, 0)))
    cx = symnet.refute(symnet.Network.from_matrices([[[1, 1], [1, -1]], [[1, 1]]], [[0, 0], [0]], act))

    @dataclasses.dataclass(frozen=True)
    class Data:  # the fields a counterexample document holds, nothing else
        network: object
        weights: object
        points: object
        output: object
        values: object
        enclosure: object

    data = Data(cx.network, cx.weights, cx.points, cx.output, cx.values, cx.enclosure)
    assert coq.counterexample_to_coq(data) == cx.to_coq()
    tampered = dataclasses.replace(data, values=(cx.values[0] + 1, *cx.values[1:]))
    with pytest.raises(CertificateError):
        coq.counterexample_to_coq(tampered)
