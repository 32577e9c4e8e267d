"""from_sklearn and to_sklearn on MLPs trained on scikit-learn's bundled diabetes data."""

import warnings

import numpy as np
import pytest
import sympy

import symnet
from symnet.interop.sklearn import LogitsWarning

sklearn = pytest.importorskip("sklearn")
from sklearn.datasets import load_diabetes  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import LinearRegression  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402

X, Y = load_diabetes(return_X_y=True)


def fit(model):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, Y if isinstance(model, MLPRegressor) else LABELS)


LABELS = np.digitize(Y, np.quantile(Y, [1 / 3, 2 / 3]))  # three classes


@pytest.fixture(scope="module")
def regressor():
    return fit(MLPRegressor(hidden_layer_sizes=(8, 4), activation="identity", max_iter=300, random_state=0))


def exact_outputs(proof, x):
    """W* x + b* evaluated exactly at the float inputs, then rounded to float."""
    rows = []
    for point in x:
        xs = [sympy.Rational(*float(v).as_integer_ratio()) for v in point]
        rows.append(
            [
                float(proof.offset[i] + sum(proof.matrix[i, j] * xs[j] for j in range(len(xs))))
                for i in range(proof.matrix.rows)
            ]
        )
    return np.array(rows)


def test_weights_are_the_transposed_coefs_exactly(regressor):
    """symnet's W_1[k, j] is coefs_[0][j, k], as its exact binary rational."""
    net = symnet.from_sklearn(regressor)
    assert net.p == 10 and net.hidden == (8, 4) and net.q == 1
    assert net.layers[0].weights[3, 7] == sympy.Rational(*float(regressor.coefs_[0][7, 3]).as_integer_ratio())
    assert net.layers[2].biases[0] == sympy.Rational(*float(regressor.intercepts_[2][0]).as_integer_ratio())


def test_identity_regressor_collapse_agrees_with_predict(regressor):
    """The exact collapse reproduces predict() on the whole data set to float64 rounding (rel 1e-12)."""
    proof = symnet.prove(symnet.from_sklearn(regressor))
    assert proof.check()
    assert all(e.is_Rational for e in proof.matrix)
    ours = exact_outputs(proof, X[:60])[:, 0]
    np.testing.assert_allclose(ours, regressor.predict(X[:60]), rtol=1e-12, atol=1e-9)


def test_to_sklearn_exports_a_fitted_linear_regression(regressor):
    """to_sklearn(): a LinearRegression whose predict matches the MLP; the report states the float error."""
    proof = symnet.prove(symnet.from_sklearn(regressor))
    linear = proof.to_sklearn()
    assert isinstance(linear, LinearRegression)
    np.testing.assert_allclose(linear.predict(X), regressor.predict(X), rtol=1e-12, atol=1e-9)
    report = proof.export_report(linear, X, regressor)
    assert report.samples == len(X)
    assert report.weight_relative_error <= 2.0**-52  # one rounding to float64
    assert report.output_error_exact < 1e-9 and report.output_error_original < 1e-9
    assert "max abs error" in str(report)


@pytest.mark.parametrize("labels", [2, 3])
def test_classifier_collapses_the_logits_and_says_so(labels):
    """MLPClassifier: LogitsWarning; logistic/softmax of the collapsed logits = predict_proba."""
    y = LABELS if labels == 3 else (LABELS > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(hidden_layer_sizes=(6,), activation="identity", max_iter=200, random_state=0).fit(X, y)
    with pytest.warns(LogitsWarning, match="logits"):
        net = symnet.from_sklearn(clf)
    proof = symnet.prove(net)
    logits = exact_outputs(proof, X[:40])
    if labels == 2:
        p1 = 1 / (1 + np.exp(-logits[:, 0]))
        probs = np.stack([1 - p1, p1], axis=1)
    else:
        z = np.exp(logits - logits.max(axis=1, keepdims=True))
        probs = z / z.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(probs, clf.predict_proba(X[:40]), rtol=1e-9, atol=1e-12)
    report = proof.export_report(proof.to_sklearn(), X[:40], clf)  # compares probabilities
    assert report.output_error_original < 1e-9


def test_relu_regressor_imports_and_is_refuted():
    """A ReLU MLP imports with relu activations, and prove() refutes it with a counterexample."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MLPRegressor(hidden_layer_sizes=(3,), activation="relu", max_iter=50, random_state=1).fit(X[:, :2], Y)
    net = symnet.from_sklearn(model)
    assert [a.name for a in net.activations] == ["relu"]
    x = [0.01, -0.02]
    assert float(net.evaluate(x)[0]) == pytest.approx(model.predict(np.array([x]))[0], rel=1e-12)
    with pytest.raises(symnet.NotLinearError):
        symnet.prove(net)


def test_refusals_are_typed(regressor):
    """Other estimators and unfitted MLPs: InvalidType; an unknown activation: UnsupportedModelError."""
    with pytest.raises(symnet.InvalidType):
        symnet.from_sklearn(LinearRegression().fit(X, Y))
    with pytest.raises(symnet.InvalidType, match="not fitted"):
        symnet.from_sklearn(MLPRegressor())
    import copy

    odd = copy.deepcopy(regressor)
    odd.activation = "gelu"
    with pytest.raises(symnet.UnsupportedModelError, match="gelu") as info:
        symnet.from_sklearn(odd)
    assert info.value.layer == "the activation 'gelu'"
