"""Hypothesis strategies for symnet's objects: architectures, activations, networks, numbers.

Every strategy validates its arguments when called and raises
:class:`hypothesis.errors.InvalidArgument` naming the argument and its value.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from fractions import Fraction
from itertools import pairwise
from typing import Any, NamedTuple

import sympy
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ..codegen import install_code_printer_names
from ..conversion import exact_rational
from ..model.activations import Activation, ActivationSpec, activation
from ..model.builders import dense
from ..model.network import Network

__all__ = [
    "Architecture",
    "activations",
    "architectures",
    "inputs",
    "networks",
    "numbers",
    "register_network_strategy",
    "weights",
]

NUMBER_KINDS = ("int", "rational", "float")
WEIGHT_KINDS = ("symbolic", "exact", "float")
_T = sympy.Symbol("t")


class Architecture(NamedTuple):
    """The sizes of a dense network: ``symnet.dense(*arch)`` builds it."""

    inputs: int
    hidden: tuple[int, ...]
    outputs: int


# ------------------------------------------------------------------ validation
def _check_int(value: Any, name: str, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument(f"{name}={value!r} must be an integer")
    if value < low:
        raise InvalidArgument(f"{name}={value!r} must be at least {low}")
    return value


def _check_range(low: int, high: int, low_name: str, high_name: str) -> None:
    if high < low:
        raise InvalidArgument(f"Cannot have {high_name}={high!r} < {low_name}={low!r}")


def _check_choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise InvalidArgument(f"{name}={value!r} must be one of {choices}")
    return str(value)


def _check_bound(value: Any, name: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, Fraction)):
        raise InvalidArgument(f"{name}={value!r} must be an int or a Fraction")
    return Fraction(value)


# --------------------------------------------------------------------- numbers
def numbers(
    kind: str = "rational",
    *,
    min_value: int | Fraction = -10,
    max_value: int | Fraction = 10,
    max_denominator: int = 10,
) -> st.SearchStrategy[Any]:
    """Numbers for weights and inputs: ``int``, ``fractions.Fraction`` or finite ``float``.

    ``kind`` is ``"int"``, ``"rational"`` (Fractions with denominator at most
    ``max_denominator``) or ``"float"``; every value lies in
    ``[min_value, max_value]``.

    Shrinks towards 0, then towards small integers and small denominators.
    """
    _check_choice(kind, "kind", NUMBER_KINDS)
    low = _check_bound(min_value, "min_value")
    high = _check_bound(max_value, "max_value")
    if high < low:
        raise InvalidArgument(f"Cannot have max_value={max_value!r} < min_value={min_value!r}")
    _check_int(max_denominator, "max_denominator", 1)
    if kind == "int":
        lo, hi = math.ceil(low), math.floor(high)
        if hi < lo:
            raise InvalidArgument(f"There is no integer between min_value={min_value!r} and max_value={max_value!r}")
        return st.integers(lo, hi)
    if kind == "rational":
        return _rationals(low, high, max_denominator)
    return st.floats(float(low), float(high), allow_nan=False, allow_infinity=False)


@functools.lru_cache(maxsize=64)
def _rationals(low: Fraction, high: Fraction, max_denominator: int) -> st.SearchStrategy[Fraction]:
    """n/d drawn directly: the denominator d first, then the numerator n in [low*d, high*d].

    Hypothesis shrinks d towards 1 and n towards 0 (or the bound nearest 0),
    so failures shrink to small integers in a few steps; ``st.fractions``
    costs about 20 times more per draw and shrinks more slowly.
    """
    dens = [d for d in range(1, max_denominator + 1) if math.ceil(low * d) <= math.floor(high * d)]
    if not dens:
        raise InvalidArgument(
            f"There is no fraction with denominator at most {max_denominator} between "
            f"min_value={low} and max_value={high}"
        )

    def numerators(d: int) -> st.SearchStrategy[int]:
        return st.integers(math.ceil(low * d), math.floor(high * d))

    by_den = {d: numerators(d) for d in dens}
    den_strategy = st.integers(1, max_denominator) if len(dens) == max_denominator else st.sampled_from(dens)

    @st.composite
    def draw(draw_: Any) -> Fraction:
        d = draw_(den_strategy)
        return Fraction(draw_(by_den[d]), d)

    return draw()


# --------------------------------------------------------------- architectures
def architectures(
    *,
    min_inputs: int = 1,
    max_inputs: int = 4,
    min_depth: int = 0,
    max_depth: int = 2,
    min_width: int = 1,
    max_width: int = 4,
    min_outputs: int = 1,
    max_outputs: int = 2,
) -> st.SearchStrategy[Architecture]:
    """Sizes of dense networks: p inputs, the hidden widths, q outputs.

    The depth (number of hidden layers) lies in ``[min_depth, max_depth]``
    and every hidden width in ``[min_width, max_width]``.

    Shrinks towards fewer inputs, fewer and narrower hidden layers and
    fewer outputs.
    """
    for name, value, low in [
        ("min_inputs", min_inputs, 1),
        ("max_inputs", max_inputs, 1),
        ("min_depth", min_depth, 0),
        ("max_depth", max_depth, 0),
        ("min_width", min_width, 1),
        ("max_width", max_width, 1),
        ("min_outputs", min_outputs, 1),
        ("max_outputs", max_outputs, 1),
    ]:
        _check_int(value, name, low)
    _check_range(min_inputs, max_inputs, "min_inputs", "max_inputs")
    _check_range(min_depth, max_depth, "min_depth", "max_depth")
    _check_range(min_width, max_width, "min_width", "max_width")
    _check_range(min_outputs, max_outputs, "min_outputs", "max_outputs")
    return st.builds(
        Architecture,
        st.integers(min_inputs, max_inputs),
        st.lists(st.integers(min_width, max_width), min_size=min_depth, max_size=max_depth).map(tuple),
        st.integers(min_outputs, max_outputs),
    )


# ----------------------------------------------------------------- activations
_SMALL = _rationals(Fraction(-3), Fraction(3), 4)
_NONLINEAR_NAMES = ("relu", "leaky_relu", "tanh", "sigmoid", "softplus", "square", "cube")


@functools.lru_cache(maxsize=1024)
def _affine(slope: Fraction, intercept: Fraction) -> Activation:
    a, b = exact_rational(slope), exact_rational(intercept)
    return activation(sympy.Lambda(_T, a * _T + b))


@functools.lru_cache(maxsize=1024)
def _polynomial(coefficients: tuple[Fraction, ...]) -> Activation:
    body = sum((exact_rational(c) * _T**i for i, c in enumerate(coefficients)), sympy.S.Zero)
    return activation(sympy.Lambda(_T, body))


def activations(*, nonlinear: bool = False, symbolic: bool = False) -> st.SearchStrategy[Activation]:
    """Activations: the identity and affine ``a*t + b`` with small rational a, b.

    ``symbolic=True`` adds ``Lambda(t, a*t + d)`` with symbols ``a`` and
    ``d`` (they become network parameters); ``nonlinear=True`` adds the named
    non-linear activations and polynomials of degree 2 or 3.

    Shrinks towards the identity, then towards simpler affine coefficients.
    """
    if not isinstance(nonlinear, bool):
        raise InvalidArgument(f"nonlinear={nonlinear!r} must be True or False")
    if not isinstance(symbolic, bool):
        raise InvalidArgument(f"symbolic={symbolic!r} must be True or False")
    options: list[st.SearchStrategy[Activation]] = [
        st.just(activation("identity")),
        st.builds(_affine, _SMALL, _SMALL),
    ]
    if symbolic:
        a, d = sympy.symbols("a d")
        options.append(st.just(activation(sympy.Lambda(_T, a * _T + d))))
    if nonlinear:
        options.append(st.sampled_from(_NONLINEAR_NAMES).map(activation))
        options.append(
            st.lists(_SMALL, min_size=3, max_size=4)
            .filter(lambda cs: cs[-1] != 0)
            .map(lambda cs: _polynomial(tuple(cs)))
        )
    return st.one_of(options)


# -------------------------------------------------------------------- networks
_ENTRY_VALUES = {
    "exact": numbers("rational", min_value=-5, max_value=5, max_denominator=6),
    "float": numbers("float", min_value=-5, max_value=5),
}


@functools.lru_cache(maxsize=512)
def _dense(arch: Architecture, act: Activation | tuple[Activation, ...]) -> Network:
    """symnet.dense for an architecture, cached: networks are immutable, and replays redraw the same ones."""
    net = dense(arch.inputs, list(arch.hidden), arch.outputs, list(act) if isinstance(act, tuple) else act)
    assert isinstance(net, Network)
    return net


@st.composite
def _numeric_network(
    draw: Any, arch_strategy: st.SearchStrategy[Architecture], acts: st.SearchStrategy[Any], kind: str
) -> Network:
    arch = draw(arch_strategy)
    act = draw(acts)
    sizes = [arch.inputs, *arch.hidden, arch.outputs]
    values = _ENTRY_VALUES[kind]
    mats, vecs = [], []
    for fan_in, width in pairwise(sizes):
        # one row at a time, weights then bias: shrinking zeroes whole rows as easily as single entries
        rows, bias = [], []
        for _ in range(width):
            rows.append([draw(values) for _ in range(fan_in)])
            bias.append(draw(values))
        mats.append(rows)
        vecs.append(bias)
    return Network.from_matrices(mats, vecs, act)


@st.composite
def _symbolic_network(
    draw: Any, arch_strategy: st.SearchStrategy[Architecture], acts: st.SearchStrategy[Any]
) -> Network:
    arch = draw(arch_strategy)
    act = draw(acts)
    # a hashable spec for the cache: an Activation, or a tuple of them (one per hidden layer)
    spec = tuple(activation(a) for a in act) if isinstance(act, (list, tuple)) else activation(act)
    return _dense(Architecture(arch.inputs, tuple(arch.hidden), arch.outputs), spec)


def _plain_architecture(value: Any) -> st.SearchStrategy[Architecture]:
    """A fixed architecture given as ``Architecture(p, hidden, q)`` or a ``(p, hidden, q)`` tuple."""
    try:
        if not isinstance(value, (tuple, list)):
            raise TypeError
        p, hidden, q = value
        arch = Architecture(p, tuple(hidden), q)
    except (TypeError, ValueError):
        raise InvalidArgument(
            f"architecture={value!r} must be a Hypothesis strategy, an Architecture or a (p, hidden, q) tuple"
        ) from None
    _check_int(arch.inputs, "architecture.inputs", 1)
    _check_int(arch.outputs, "architecture.outputs", 1)
    for i, h in enumerate(arch.hidden):
        _check_int(h, f"architecture.hidden[{i}]", 1)
    return st.just(arch)


def _plain_activation(value: Any) -> tuple[Activation, ...] | Activation:
    """A fixed activation spec as :func:`symnet.dense` takes it: one for every layer, or a list, one per layer."""
    try:
        if isinstance(value, (list, tuple)):
            return tuple(activation(a) for a in value)
        return activation(value)
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(f"activation={value!r} is neither a strategy nor an activation: {exc}") from None


def networks(
    *,
    weights: str = "symbolic",
    architecture: st.SearchStrategy[Architecture] | Architecture | tuple[Any, ...] | None = None,
    activation: st.SearchStrategy[Any] | ActivationSpec | Sequence[ActivationSpec] | None = None,
) -> st.SearchStrategy[Network]:
    """Dense networks (:class:`symnet.Network`).

    ``weights="symbolic"`` gives :func:`symnet.dense` networks, every weight
    its own symbol; ``"exact"`` gives small rational weights (ints and
    Fractions in [-5, 5], denominators up to 6); ``"float"`` gives float
    weights in [-5, 5].  ``architecture`` is a strategy for
    :class:`Architecture` (default :func:`architectures`) and
    ``activation`` a strategy for activation specs (default
    :func:`activations`, linear ones only).  Both also take a plain value,
    as :func:`symnet.dense` does: ``activation="relu"`` (a name, a
    one-variable ``sympy.Lambda`` or an Activation, for every hidden layer;
    or a list of them, one per hidden layer, which then also fixes the
    depth of the default architectures) and ``architecture=(2, [3], 1)``.

    Numeric weights are drawn directly, one Hypothesis choice per numerator
    and denominator, so a draw of up to 4 x [4, 4] x 2 costs a few
    milliseconds.

    Shrinks towards smaller architectures, the identity activation and, for
    numeric weights, weights of 0, then small integers.
    """
    _check_choice(weights, "weights", WEIGHT_KINDS)
    arch = architecture if architecture is None or isinstance(architecture, st.SearchStrategy) else None
    acts = activation if activation is None or isinstance(activation, st.SearchStrategy) else None
    if architecture is not None and arch is None:
        arch = _plain_architecture(architecture)
    if activation is not None and acts is None:
        fixed = _plain_activation(activation)
        acts = st.just(fixed)
        if isinstance(fixed, tuple):
            depth = len(fixed)
            if arch is None:
                arch = architectures(min_depth=depth, max_depth=depth)
            else:
                arch = arch.filter(lambda a: len(a.hidden) == depth)
    arch = architectures() if arch is None else arch
    acts = activations() if acts is None else acts
    if weights == "symbolic":
        return _symbolic_network(arch, acts)
    return _numeric_network(arch, acts, weights)


def _network_arg(net: Any, name: str = "net") -> Network:
    if not isinstance(net, Network):
        raise InvalidArgument(f"{name}={net!r} must be a symnet.Network")
    return net


def weights(
    net: Network,
    *,
    kind: str = "rational",
    min_value: int | Fraction = -10,
    max_value: int | Fraction = 10,
    max_denominator: int = 10,
) -> st.SearchStrategy[dict[sympy.Symbol, Any]]:
    """Weight assignments for ``net``: a dict from each symbol in ``net.parameters`` to a number.

    The numbers are drawn by :func:`numbers` with the given ``kind`` and
    bounds; the dict suits ``net.evaluate(x, weights)``.  A numeric network
    gets the empty dict.

    Shrinks every weight towards 0.
    """
    _network_arg(net)
    values = numbers(kind, min_value=min_value, max_value=max_value, max_denominator=max_denominator)
    params = net.parameters
    return st.tuples(*(values for _ in params)).map(lambda vs: dict(zip(params, vs, strict=True)))


def inputs(
    net_or_p: Network | int,
    *,
    kind: str = "rational",
    min_value: int | Fraction = -10,
    max_value: int | Fraction = 10,
    max_denominator: int = 10,
) -> st.SearchStrategy[tuple[Any, ...]]:
    """Input points: a tuple of p numbers for a network (or for ``p`` given as an int).

    Shrinks every coordinate towards 0.
    """
    p = net_or_p.p if isinstance(net_or_p, Network) else _check_int(net_or_p, "net_or_p", 1)
    values = numbers(kind, min_value=min_value, max_value=max_value, max_denominator=max_denominator)
    return st.tuples(*(values for _ in range(p)))


# ---------------------------------------------------------------- registration
#: The sizes ``st.from_type(symnet.Network)`` draws: small, so that a draw stays a few milliseconds even under load.
FROM_TYPE_SIZES = {"max_inputs": 3, "max_depth": 2, "max_width": 3, "max_outputs": 2}


@functools.lru_cache(maxsize=1)
def _any_network() -> st.SearchStrategy[Network]:
    arch = architectures(**FROM_TYPE_SIZES)
    # build one network of each kind now, so the first draw pays no lazy import or cold cache
    _dense(Architecture(1, (1,), 1), activation("identity"))
    Network.from_matrices([[[Fraction(1, 2)]], [[1.5]]], [[0], [1]])
    return st.one_of([networks(weights=kind, architecture=arch) for kind in WEIGHT_KINDS])


def _from_type(thing: type) -> st.SearchStrategy[Network]:
    return _any_network()


def register_network_strategy() -> None:
    """Make ``st.from_type(symnet.Network)`` draw :func:`networks` (any kind of weights, up to 3 x [3, 3] x 2).

    Also makes sympy's code printers spell the drawn networks' names as
    identifiers (:func:`symnet.codegen.install_code_printer_names`).
    """
    install_code_printer_names()
    st.register_type_strategy(Network, _from_type)
