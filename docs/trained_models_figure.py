"""Build-time figure for docs/trained-models.md: the diabetes MLP's collapsed betas beside OLS.

``write_figure(directory)`` trains the page's identity-activation MLP on
scikit-learn's bundled diabetes data, collapses it with symnet, fits ordinary
least squares on the same data and writes ``diabetes-coefficients.svg``
(deterministic: fixed seed, no date, fixed SVG ids).  docs/conf.py calls it
on every build.
"""

from __future__ import annotations

import os
import warnings


def fitted_models():  # noqa: ANN201 - (mlp, proof, ols), as on the page
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import LinearRegression
    from sklearn.neural_network import MLPRegressor

    import symnet

    X, y = load_diabetes(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp = MLPRegressor(
            hidden_layer_sizes=(8, 4), activation="identity", solver="lbfgs", max_iter=5000, random_state=0
        ).fit(X, y)
    proof = symnet.prove(symnet.from_sklearn(mlp))
    ols = LinearRegression().fit(X, y)
    return mlp, proof, ols


def write_figure(directory: str) -> str:
    """Write the coefficient figure into ``directory``; returns its path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from sklearn.datasets import load_diabetes

    names = load_diabetes().feature_names
    _, proof, ols = fitted_models()
    betas = np.array([float(v) for v in proof.matrix])
    x = np.arange(len(names))
    plt.rcParams["svg.hashsalt"] = "symnet"
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    ax.bar(x - 0.2, betas, width=0.4, label="MLP (8, 4), identity: W* collapsed by symnet")
    ax.bar(x + 0.2, ols.coef_, width=0.4, label="ordinary least squares (LinearRegression)")
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xticks(x, names)
    ax.set_ylabel("coefficient β_j")
    ax.set_title("Diabetes data: the trained network's exact collapse beside OLS")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, frameon=False)
    fig.tight_layout()
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "diabetes-coefficients.svg")
    fig.savefig(path, metadata={"Date": None})
    plt.close(fig)
    return path
