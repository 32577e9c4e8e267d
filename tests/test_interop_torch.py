"""from_torch and to_torch on small models trained in the test (fixed seed, few steps)."""

import numpy as np
import pytest
import sympy

import symnet

torch = pytest.importorskip("torch")
from sklearn.datasets import load_diabetes  # noqa: E402
from torch import nn  # noqa: E402

X, Y = load_diabetes(return_X_y=True)
Y = (Y - Y.mean()) / Y.std()


def train(module, steps=60):
    """A few Adam steps on the diabetes data, then eval mode."""
    torch.manual_seed(0)
    xs, ys = torch.tensor(X, dtype=torch.float32), torch.tensor(Y, dtype=torch.float32).reshape(-1, 1)
    opt = torch.optim.Adam(module.parameters(), lr=0.01)
    module.train()
    for _ in range(steps):
        opt.zero_grad()
        loss = ((module(xs) - ys) ** 2).mean()
        loss.backward()
        opt.step()
    return module.eval()


@pytest.fixture(scope="module")
def linear_model():
    torch.manual_seed(0)
    module = nn.Sequential(
        nn.Linear(10, 16),
        nn.BatchNorm1d(16),
        nn.Dropout(0.2),
        nn.Linear(16, 8),
        nn.Identity(),
        nn.Flatten(),
        nn.Sequential(nn.Linear(8, 4), nn.LeakyReLU(1.0)),
        nn.Linear(4, 1),
    )
    return train(module)


def forward64(module, x):
    """The module's own forward pass in float64 (its float32 weights widened exactly)."""
    import copy

    with torch.no_grad():
        return copy.deepcopy(module).double()(torch.tensor(x, dtype=torch.float64)).numpy()


def float_form(proof):
    w = np.array([[float(sympy.N(e, 30)) for e in proof.matrix.row(i)] for i in range(proof.matrix.rows)])
    b = np.array([float(sympy.N(e, 30)) for e in proof.offset])
    return w, b


@pytest.mark.slow
def test_trained_sequential_with_batch_norm_collapses_like_its_forward_pass(linear_model):
    """Linear/BatchNorm1d(eval)/Dropout/Identity/Flatten/LeakyReLU(1): the collapse equals module(x).

    batchnorm="exact" (real radicals) reproduces the float64 forward pass of the widened model; the
    default (torch's float32 scale) its float32 forward pass.
    """
    net = symnet.from_torch(linear_model, batchnorm="exact")
    assert net.hidden == (16, 8, 4) and all(a.is_identity for a in net.activations)
    proof = symnet.prove(net)
    assert proof.check()
    w, b = float_form(proof)
    np.testing.assert_allclose(X @ w.T + b, forward64(linear_model, X), rtol=1e-9, atol=1e-12)
    proof = symnet.prove(symnet.from_torch(linear_model))
    w, b = float_form(proof)
    with torch.no_grad():  # and the float32 forward pass to float32 rounding
        out32 = linear_model(torch.tensor(X, dtype=torch.float32)).numpy()
    np.testing.assert_allclose(X @ w.T + b, out32, rtol=1e-4, atol=1e-5)


def test_batch_norm_is_folded_exactly_on_request():
    """batchnorm="exact": BatchNorm1d's scale gamma/sqrt(var + eps) stays exact (an algebraic number)."""
    bn = nn.BatchNorm1d(2).eval()
    with torch.no_grad():
        bn.running_var.copy_(torch.tensor([3.0, 0.25]))
        bn.running_mean.copy_(torch.tensor([1.0, -2.0]))
        bn.weight.copy_(torch.tensor([2.0, 1.0]))
        bn.bias.copy_(torch.tensor([0.5, 0.0]))
    bn.eps = 0.0
    lin = nn.Linear(2, 2)
    with torch.no_grad():
        lin.weight.copy_(torch.eye(2))
        lin.bias.zero_()
    net = symnet.from_torch(nn.Sequential(lin, bn, nn.Linear(2, 1)), batchnorm="exact")
    w = net.layers[0].weights
    assert w[0, 0] == 2 / sympy.sqrt(3) and w[1, 1] == 2  # 1/sqrt(1/4) = 2 exactly
    assert net.layers[0].biases[0] == sympy.Rational(1, 2) - 2 / sympy.sqrt(3)
    assert symnet.prove(net).check()


def test_nonlinear_activations_import_and_evaluate_like_torch():
    """ReLU, LeakyReLU, Tanh, Sigmoid: the network's exact evaluation matches module(x)."""
    torch.manual_seed(1)
    module = nn.Sequential(
        nn.Linear(3, 4),
        nn.ReLU(),
        nn.Linear(4, 4),
        nn.LeakyReLU(0.2),
        nn.Linear(4, 3),
        nn.Tanh(),
        nn.Linear(3, 2),
        nn.Sigmoid(),
        nn.Linear(2, 1),
    ).eval()
    net = symnet.from_torch(module)
    assert [a.label() for a in net.activations][0] == "relu"
    assert net.activations[2].name == "tanh" and net.activations[3].name == "sigmoid"
    x = [0.3, -1.2, 0.7]
    assert float(net.evaluate(x)[0]) == pytest.approx(forward64(module, np.array([x]))[0, 0], rel=1e-12)
    with pytest.raises(symnet.NotLinearError):
        symnet.prove(net)


def test_a_final_activation_is_kept_exactly():
    """A trailing Sigmoid is not dropped: an identity output layer follows it."""
    module = nn.Sequential(nn.Linear(2, 1), nn.Sigmoid()).eval()
    net = symnet.from_torch(module)
    assert net.hidden == (1,) and net.activations[0].name == "sigmoid"
    assert float(net.evaluate([0.5, 0.25])[0]) == pytest.approx(
        forward64(module, np.array([[0.5, 0.25]]))[0, 0], rel=1e-12
    )


def test_unsupported_layers_are_named_with_their_position():
    """Conv1d, a training-mode BatchNorm1d and a module with its own forward(): UnsupportedModelError."""
    with pytest.raises(symnet.UnsupportedModelError, match="layer 1 is Conv1d") as info:
        symnet.from_torch(nn.Sequential(nn.Linear(2, 2), nn.Conv1d(1, 1, 1)))
    assert info.value.layer == "Conv1d" and info.value.position == "layer 1"
    with pytest.raises(symnet.UnsupportedModelError, match="training mode"):
        symnet.from_torch(nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2).train()))
    with pytest.raises(symnet.UnsupportedModelError, match="layer 1 \\(Dropout\\) is Dropout in training mode"):
        symnet.from_torch(nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.1), nn.Linear(2, 1)).train())
    with pytest.raises(symnet.UnsupportedModelError, match="beta=2"):
        symnet.from_torch(nn.Sequential(nn.Linear(2, 2), nn.Softplus(beta=2), nn.Linear(2, 1)).eval())
    with pytest.raises(symnet.InvalidArgument, match="batchnorm"):
        symnet.from_torch(nn.Sequential(nn.Linear(2, 2)), batchnorm="sqrt")
    with pytest.raises(symnet.UnsupportedModelError, match="layer 1.0 is Softmax"):
        symnet.from_torch(nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Softmax(dim=1))))

    class Custom(nn.Module):
        def forward(self, x):
            return x

    with pytest.raises(symnet.UnsupportedModelError, match="forward"):
        symnet.from_torch(Custom())
    with pytest.raises(symnet.InvalidType):
        symnet.from_torch("not a module")
    with pytest.raises(symnet.ShapeError):
        symnet.from_torch(nn.Sequential(nn.Linear(2, 3), nn.Linear(2, 1)))


def test_to_torch_exports_one_linear_layer(linear_model):
    """to_torch(): an nn.Linear whose output matches the exact collapse and the original to float32 rounding."""
    proof = symnet.prove(symnet.from_torch(linear_model))
    layer = proof.to_torch()
    assert isinstance(layer, nn.Linear) and layer.weight.dtype == torch.float32
    report = proof.export_report(layer, X, linear_model)
    assert report.weight_relative_error <= 2.0**-24
    assert report.output_error_exact < 1e-5 and report.output_error_original < 1e-5
    double = proof.to_torch(torch.float64)
    assert proof.export_report(double, X, linear_model).output_error_exact < 1e-12


def _bn_stats(bn, dtype=torch.float32):
    """Irrational scales on purpose: var + eps is not a square."""
    g = torch.Generator().manual_seed(5)
    n = bn.num_features
    with torch.no_grad():
        bn.running_mean.copy_(torch.randn(n, generator=g, dtype=dtype))
        bn.running_var.copy_(torch.rand(n, generator=g, dtype=dtype) * 3 + 0.1)
        bn.weight.copy_(torch.randn(n, generator=g, dtype=dtype))
        bn.bias.copy_(torch.randn(n, generator=g, dtype=dtype))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_batch_norm_is_folded_as_torch_computes_it(dtype):
    """Default: the BatchNorm1d map equals torch's own eval forward pass (float32 and float64 models) to rounding."""
    torch.manual_seed(2)
    module = nn.Sequential(nn.Linear(5, 7), nn.BatchNorm1d(7), nn.Dropout(0.3), nn.Linear(7, 3)).to(dtype)
    _bn_stats(module[1], dtype)
    module.eval()
    net = symnet.from_torch(module)
    assert all(e.is_Rational for layer in net.layers for e in list(layer.weights) + list(layer.biases))
    proof = symnet.prove(net)
    w, b = float_form(proof)
    x = np.random.default_rng(0).standard_normal((20, 5))
    with torch.no_grad():
        out = module(torch.tensor(x, dtype=dtype)).numpy()
    xs = x.astype(np.float32).astype(np.float64) if dtype == torch.float32 else x
    tol = 2e-6 if dtype == torch.float32 else 1e-12
    np.testing.assert_allclose(xs @ w.T + b, out, rtol=tol, atol=tol)
    # the scale is torch's float value of gamma * (1 / sqrt(var + eps)), not the real number
    exact = symnet.prove(symnet.from_torch(module, batchnorm="exact"))
    assert proof.matrix != exact.matrix
    we, be = float_form(exact)
    np.testing.assert_allclose(w, we, rtol=1e-6 if dtype == torch.float32 else 1e-14)


def test_batch_norm_scale_is_the_float32_kernel_value():
    """The folded scale of a BatchNorm1d alone is, bit for bit, what torch's eval mode multiplies by."""
    bn = nn.BatchNorm1d(6)
    _bn_stats(bn)
    lin = nn.Linear(6, 6)
    with torch.no_grad():
        lin.weight.copy_(torch.eye(6))
        lin.bias.zero_()
    module = nn.Sequential(lin, bn).eval()
    net = symnet.from_torch(module)
    scale = [net.layers[0].weights[i, i] for i in range(6)]
    shift = list(net.layers[0].biases)
    with torch.no_grad():  # torch's y = x * scale + shift: read scale and shift off two forward passes
        zero = bn(torch.zeros(1, 6))[0]
        one = bn(torch.ones(1, 6))[0]
    for k in range(6):
        assert shift[k] == sympy.Rational(*float(zero[k]).as_integer_ratio())
        assert abs(float(scale[k] + shift[k]) - float(one[k])) <= 2 * abs(np.spacing(np.float32(one[k])))


def test_softplus_imports_as_the_named_activation():
    """nn.Softplus (beta=1) is symnet's softplus: exact evaluation matches torch's forward pass."""
    torch.manual_seed(4)
    module = nn.Sequential(nn.Linear(3, 4), nn.Softplus(), nn.Linear(4, 1)).eval()
    net = symnet.from_torch(module)
    assert net.activations[0].name == "softplus"
    x = [0.25, -0.5, 1.0]
    assert float(net.evaluate(x)[0]) == pytest.approx(forward64(module, np.array([x]))[0, 0], rel=1e-12)
