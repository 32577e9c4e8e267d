"""Export a linear certificate's collapsed single layer: ``proof.to_sklearn()``, ``to_torch()``, ``to_onnx()``.

Every function takes the certificate (a Proof is read for its ``certificate``).
A claim that holds on a domain only (a piecewise proof over a box) is refused:
the exported layer would compute it everywhere.

The exact W* and b* are rounded once to floats (each entry to the nearest
float64, then to the target dtype).  :func:`export_report` measures what that
rounding costs: the float error of the exported weights against the exact
collapse, and -- on inputs you give -- of the exported model's own forward
pass against the exact linear form and against the original model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy
from sympy.polys.domains import QQ
from sympy.polys.matrices import DomainMatrix

from ..codegen import certificate_of, domain_rows, linear_form
from ..conversion import exact_ratio, exact_rational
from ..errors import InvalidArgument, InvalidType
from ..model.domain import domain_matrix
from ._common import require

__all__ = ["ExportReport", "claim", "export_report", "float_form", "to_onnx", "to_sklearn", "to_torch"]


def _numeric_entries(m: sympy.MatrixBase) -> list[sympy.Expr]:
    """The entries of a collapse matrix; InvalidArgument if one is symbolic (``sqrt(2)`` is numeric)."""
    entries = list(m.args[2].args) if isinstance(m, sympy.ImmutableMatrix) else list(m)
    for e in entries:
        if e.free_symbols:
            raise InvalidArgument(f"the collapse has the symbolic entry {e}; only numeric proofs export to floats")
    return entries


def _to_float(e: sympy.Expr) -> float:
    if e.is_Rational:
        return int(e.p) / int(e.q)  # correctly rounded
    return float(sympy.N(e, 40))


def claim(proof: Any) -> tuple[sympy.ImmutableMatrix, sympy.ImmutableMatrix]:
    """``(W*, b*)`` of a linear certificate that holds on all of R^p; InvalidArgument for one on a domain only."""
    cert = certificate_of(proof)
    if domain_rows(cert):
        raise InvalidArgument(
            "the proof holds on a domain only (a box or a polytope); "
            "an exported layer would compute W* x + b* everywhere"
        )
    return linear_form(cert)


def float_form(proof: Any, dtype: Any = None) -> tuple[Any, Any]:
    """W* (q x p) and b* (q,) as numpy arrays of ``dtype`` (default float64)."""
    import numpy as np

    matrix, offset = claim(proof)
    dtype = np.float64 if dtype is None else dtype
    q, p = matrix.shape
    w = np.array([_to_float(e) for e in _numeric_entries(matrix)], dtype=np.float64).reshape(q, p)
    b = np.array([_to_float(e) for e in _numeric_entries(offset)], dtype=np.float64)
    return w.astype(dtype), b.astype(dtype)


def to_sklearn(proof: Any) -> Any:
    """A fitted ``sklearn.linear_model.LinearRegression`` computing W* x + b* in float64."""
    lm = require("sklearn.linear_model", "sklearn")
    import numpy as np

    w, b = float_form(proof)
    model = lm.LinearRegression()
    q, p = w.shape
    model.coef_ = w[0].copy() if q == 1 else w
    model.intercept_ = float(b[0]) if q == 1 else b
    model.n_features_in_ = p
    model.rank_ = int(np.linalg.matrix_rank(w)) if w.size else 0
    model.singular_ = np.linalg.svd(w, compute_uv=False)
    return model


def to_torch(proof: Any, dtype: Any = None) -> Any:
    """An ``nn.Linear(p, q)`` (float32 unless ``dtype`` says otherwise) computing W* x + b*, in eval mode."""
    torch = require("torch", "torch")
    dtype = torch.float32 if dtype is None else dtype
    w, b = float_form(proof)
    q, p = w.shape
    layer = torch.nn.Linear(p, q, dtype=dtype)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(w).to(dtype))
        layer.bias.copy_(torch.from_numpy(b).to(dtype))
    return layer.eval()


def to_onnx(proof: Any, dtype: str = "float32", opset: int = 13) -> Any:
    """An ``onnx.ModelProto`` with one ``Gemm``: input ``x`` [N, p], output ``y`` [N, q].

    ``dtype`` is ``"float32"`` (default) or ``"float64"``.
    """
    onnx = require("onnx", "onnx")
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    types = {"float32": (np.float32, TensorProto.FLOAT), "float64": (np.float64, TensorProto.DOUBLE)}
    if dtype not in types:
        raise InvalidArgument(f"dtype={dtype!r} must be 'float32' or 'float64'")
    np_type, elem = types[dtype]
    w, b = float_form(proof, np_type)
    q, p = w.shape
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["x", "W", "b"], ["y"], name="collapsed", transB=1)],
        "symnet_collapse",
        [helper.make_tensor_value_info("x", elem, ["N", p])],
        [helper.make_tensor_value_info("y", elem, ["N", q])],
        initializer=[numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "b")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="symnet")
    model.ir_version = min(model.ir_version, 8)
    model.doc_string = "y = W* x + b*: the exact collapse proved by symnet, rounded once to floats"
    onnx.checker.check_model(model)
    return model


# ------------------------------------------------------------------ report
@dataclass(frozen=True)
class ExportReport:
    """Float error of an exported single layer.

    ``weight_error`` is ``max abs(exported - exact)`` over the entries of W*
    and b*, computed exactly; ``weight_relative_error`` the same relative to
    ``abs(exact)`` (nonzero entries).  With inputs, ``output_error_exact`` is
    ``max abs(exported(x) - (W* x + b*))`` with the latter exact at the float
    inputs, and ``output_error_original`` is
    ``max abs(exported(x) - original(x))`` when the original model was given
    (for a scikit-learn classifier: its probabilities against the exported
    logits' logistic/softmax).  ``samples`` inputs were used.
    """

    weight_error: float
    weight_relative_error: float
    output_error_exact: float | None = None
    output_error_original: float | None = None
    samples: int = 0

    def __str__(self) -> str:
        lines = [
            f"exported weights vs exact W*, b*: max abs error {self.weight_error:.3g}, "
            f"max rel error {self.weight_relative_error:.3g}"
        ]
        if self.output_error_exact is not None:
            lines.append(
                f"exported outputs vs exact linear form on {self.samples} inputs: "
                f"max abs error {self.output_error_exact:.3g}"
            )
        if self.output_error_original is not None:
            lines.append(
                f"exported outputs vs original model on {self.samples} inputs: "
                f"max abs error {self.output_error_original:.3g}"
            )
        return "\n".join(lines)


def _exported_arrays(exported: Any) -> tuple[Any, Any]:
    """The float W (q x p) and b (q,) of an exported model, as float64 numpy arrays."""
    import numpy as np

    if hasattr(exported, "coef_"):
        w = np.atleast_2d(np.asarray(exported.coef_, dtype=np.float64))
        return w, np.atleast_1d(np.asarray(exported.intercept_, dtype=np.float64))
    if hasattr(exported, "weight") and hasattr(exported, "bias"):
        return exported.weight.detach().double().numpy(), exported.bias.detach().double().numpy()
    if hasattr(exported, "graph"):
        from onnx import numpy_helper

        init = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in exported.graph.initializer}
        return init["W"], init["b"]
    raise InvalidType(f"exported={type(exported).__name__} is not a model symnet exported")


def run_model(model: Any, x: Any) -> Any:
    """A model's own forward pass on a float batch ``x`` (N x p), as float64 (N x q)."""
    import numpy as np

    if hasattr(model, "predict"):
        if hasattr(model, "predict_proba") and hasattr(model, "out_activation_"):
            return np.asarray(model.predict_proba(x), dtype=np.float64)
        out = np.asarray(model.predict(x), dtype=np.float64)
        return out.reshape(len(x), -1)
    if hasattr(model, "graph"):
        from onnx.reference import ReferenceEvaluator

        elem = model.graph.input[0].type.tensor_type.elem_type
        np_dtype = np.float64 if elem == 11 else np.float32
        name = model.graph.input[0].name
        dims = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
        evaluator = ReferenceEvaluator(model)

        def run(batch: Any) -> Any:
            (result,) = evaluator.run(None, {name: batch})
            return np.asarray(result, dtype=np.float64)

        if len(dims) > 2 and all(dims[1:]):  # e.g. [1, C, H, W]: one sample at a time, in the declared shape
            rows = np.asarray(x, dtype=np_dtype).reshape(len(x), 1, *dims[1:])
            return np.stack([run(r).reshape(-1) for r in rows])
        return run(np.asarray(x, dtype=np_dtype)).reshape(len(x), -1)
    try:
        import torch

        if isinstance(model, torch.nn.Module):
            param = next(model.parameters(), None)
            t_dtype = param.dtype if param is not None else torch.float32
            with torch.no_grad():
                return model(torch.as_tensor(np.asarray(x), dtype=t_dtype)).double().numpy().reshape(len(x), -1)
    except ImportError:  # pragma: no cover
        pass
    if callable(model):
        return np.asarray(model(x), dtype=np.float64).reshape(len(x), -1)
    raise InvalidType(f"model={type(model).__name__} has no forward pass symnet knows")


def _qq_matrix(rows: list[list[Any]]) -> DomainMatrix:
    return DomainMatrix(
        [[QQ(*exact_ratio(v, "an input")) for v in row] for row in rows], (len(rows), len(rows[0])), QQ
    ).to_dense()


def export_report(proof: Any, exported: Any, inputs: Any = None, original: Any = None) -> ExportReport:
    """Measure the float error of ``exported`` (a model from ``to_sklearn/to_torch/to_onnx``).

    ``inputs`` (N x p floats) adds the output errors; ``original`` (the model
    the network was imported from, or any callable) adds the comparison with it.
    """
    import numpy as np

    matrix, offset = claim(proof)
    w, b = _exported_arrays(exported)
    exact = _numeric_entries(matrix) + _numeric_entries(offset)
    floats = w.ravel().tolist() + b.ravel().tolist()
    if len(exact) != len(floats):
        raise InvalidArgument(f"the exported model has {len(floats)} weights, the collapse {len(exact)}")
    abs_err, rel_err = 0.0, 0.0
    for e, f in zip(exact, floats, strict=True):
        if e.is_Rational:
            diff = abs(exact_rational(f, "an exported weight") - e)
            d = float(diff)
            rel = float(diff / abs(e)) if e != 0 else 0.0
        else:
            d = abs(float(sympy.N(exact_rational(f, "an exported weight") - e, 30)))
            rel = d / abs(float(sympy.N(e, 30))) if e != 0 else 0.0
        abs_err, rel_err = max(abs_err, d), max(rel_err, rel)
    if inputs is None:
        return ExportReport(abs_err, rel_err)
    x = np.asarray(inputs, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != matrix.cols:
        raise InvalidArgument(f"inputs has shape {list(x.shape)}; it needs {matrix.cols} columns")
    out = run_model(exported, x)
    if all(e.is_Rational for e in exact):
        wq, bq = domain_matrix(matrix), domain_matrix(offset)
        assert wq is not None and bq is not None  # every entry is rational
        xq = _qq_matrix(x.tolist())
        yq = (
            xq * wq.transpose()
            + DomainMatrix(
                [[bq[i, 0].element for i in range(bq.shape[0])]] * len(x), (len(x), bq.shape[0]), QQ
            ).to_dense()
        )
        oq = _qq_matrix(out.tolist())
        diff = (oq - yq).to_Matrix()
        out_exact = max(abs(float(v)) for v in diff) if len(diff) else 0.0
    else:
        wf, bf = float_form(proof)
        out_exact = float(np.max(np.abs(out - (x @ wf.T + bf))))
    out_original = None
    if original is not None:
        ref = run_model(original, x)
        mine = out
        act = getattr(original, "out_activation_", "identity")
        if act == "logistic":
            p1 = 1 / (1 + np.exp(-mine))
            mine = np.hstack([1 - p1, p1])
        elif act == "softmax":
            z = np.exp(mine - mine.max(axis=1, keepdims=True))
            mine = z / z.sum(axis=1, keepdims=True)
        out_original = float(np.max(np.abs(mine - ref)))
    return ExportReport(abs_err, rel_err, out_exact, out_original, len(x))
