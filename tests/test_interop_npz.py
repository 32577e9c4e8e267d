"""The .npz weights format, `symnet prove MODEL.npz`, and the optional-dependency boundary."""

import subprocess
import sys

import numpy as np
import pytest
import sympy

import symnet
from symnet.cli.main import main
from symnet.interop.npz import save_npz

RNG = np.random.default_rng(5)


def archive(tmp_path, **arrays):
    path = tmp_path / "w.npz"
    np.savez(path, **arrays)
    return path


def test_npz_network_is_exact_and_oriented_like_symnet(tmp_path):
    """W{l} is (out x in); float32 entries are their binary rationals; activations by name."""
    w1, b1, w2 = RNG.standard_normal((3, 2)).astype(np.float32), RNG.standard_normal(3), RNG.standard_normal((1, 3))
    net = symnet.from_npz(archive(tmp_path, W1=w1, b1=b1, W2=w2, activations=np.array(["relu"])))
    assert net.p == 2 and net.hidden == (3,) and net.activations[0].name == "relu"
    assert net.layers[0].weights[2, 1] == sympy.Rational(*float(w1[2, 1]).as_integer_ratio())
    assert list(net.layers[1].biases) == [0]
    x = np.array([0.25, -1.5])
    expected = w2 @ np.maximum(w1.astype(np.float64) @ x + b1, 0)
    assert float(net.evaluate(x.tolist())[0]) == pytest.approx(expected[0], rel=1e-12)


def test_save_and_load_round_trip(tmp_path):
    """save_npz then from_npz gives the same network (float64 weights)."""
    net = symnet.Network.from_matrices(
        [RNG.standard_normal((4, 3)), RNG.standard_normal((2, 4))], [RNG.standard_normal(4), RNG.standard_normal(2)]
    )
    path = tmp_path / "n.npz"
    save_npz(net, path)
    again = symnet.from_npz(path)
    assert symnet.prove(again).matrix == symnet.prove(net).matrix


@pytest.mark.parametrize(
    "arrays, error, match",
    [
        ({"W1": np.ones((2, 2)), "W3": np.ones((1, 2))}, symnet.InvalidArgument, "missing W2"),
        ({"W1": np.ones((2, 2)), "extra": np.ones(2)}, symnet.InvalidArgument, "unknown array 'extra'"),
        ({"W1": np.ones((2, 2)), "W2": np.ones((1, 3))}, symnet.ShapeError, "takes 3 inputs"),
        (
            {"W1": np.ones((2, 2)), "W2": np.ones((1, 2)), "activations": np.array(["relu", "tanh"])},
            symnet.ShapeError,
            "2 activations",
        ),
        (
            {"W1": np.ones((2, 2)), "W2": np.ones((1, 2)), "activations": np.array(["gelu"])},
            symnet.ActivationError,
            "gelu",
        ),
        ({"W1": np.array([[1.0, np.nan]]), "W2": np.ones((1, 1))}, symnet.InvalidArgument, "not finite"),
        ({"W1": np.ones(2)}, symnet.ShapeError, "2-D"),
    ],
)
def test_malformed_archives_are_typed_errors(tmp_path, arrays, error, match):
    """Every defect is named; nothing is skipped."""
    with pytest.raises(error, match=match):
        symnet.from_npz(archive(tmp_path, **arrays))


def test_pickled_arrays_are_refused(tmp_path):
    """Object arrays would need pickle: refused, nothing executed."""
    path = archive(tmp_path, W1=np.array([[object()]], dtype=object))
    with pytest.raises(symnet.InvalidArgument, match="pickle"):
        symnet.from_npz(path)


def test_cli_prove_npz(tmp_path, capsys):
    """`symnet prove W.npz` proves a linear archive (exit 0) and refutes a ReLU one (exit 1)."""
    lin = archive(tmp_path, W1=RNG.standard_normal((3, 2)), W2=RNG.standard_normal((1, 3)))
    assert main(["prove", str(lin), "--format", "json"]) == 0
    relu = tmp_path / "r.npz"
    np.savez(relu, W1=RNG.standard_normal((3, 2)), W2=RNG.standard_normal((1, 3)), activations=np.array(["relu"]))
    assert main(["prove", str(relu)]) == 1
    capsys.readouterr()
    assert main(["prove", str(lin), "--hidden", "3"]) == 2
    assert main(["prove", str(lin), "--inputs", "2"]) == 2  # the model gives the sizes: nothing ignored


def test_import_symnet_does_not_import_the_model_libraries():
    """`import symnet` leaves sklearn, torch and onnx unimported (they are optional extras)."""
    code = "import sys, symnet; print(sorted(m for m in ('sklearn', 'torch', 'onnx') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
