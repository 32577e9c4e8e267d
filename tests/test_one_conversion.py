"""One exact-number conversion (issue 19, item 7): every area reads numbers through symnet.conversion,
which builds on the trusted base's reading of sympy numbers (symnet.numbers); the kernel loads only the latter.

Expected values come from Python's own exact routes (``Fraction(float)``,
``float.as_integer_ratio``, ``Decimal``), never from symnet's output.
"""

from __future__ import annotations

import ast
import pathlib
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

import symnet
from symnet import conversion
from symnet import numbers as kernel_numbers
from symnet.errors import CoqExportError, InvalidArgument, InvalidType
from symnet.interop.coq._base import coq_ratio, to_term
from symnet.render._numbers import round_outward
from symnet.results import PiecewiseProof
from symnet.results._rationals import fq
from tests.test_trusted_base import trusted_modules

ROOT = pathlib.Path(__file__).resolve().parent.parent / "symnet"
#: The areas that must hold no number conversion of their own (symnet/conversion.py over symnet/numbers.py is the one).
FRONT_ENDS = ["search", "results", "interop", "testing", "strategies", "render", "cli", "codegen.py", "kernel"]
#: The conversion's functions, and the one module that defines each.
CONVERSION = {
    "fast_rational": "numbers.py",
    "sympy_ratio": "numbers.py",
    "exact_ratio": "conversion.py",
    "exact_floats": "conversion.py",
}


def _front_end_files() -> list[pathlib.Path]:
    out: list[pathlib.Path] = []
    for part in FRONT_ENDS:
        path = ROOT / part
        out += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return out


def test_no_front_end_defines_its_own_exact_helper() -> None:
    """The duplicates issue 19 counted (``_exact``, ``_fq``, ``_q``, ``_rational``, ...) left the front ends."""
    banned = {"_exact", "_fq", "_q", "_rational", "_exact_entries", "_exact_number"}
    found = []
    for f in _front_end_files():
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.FunctionDef) and node.name in banned:
                found.append(f"{f.relative_to(ROOT)}:{node.name}")
    assert found == []


def test_no_front_end_calls_as_integer_ratio() -> None:
    """``as_integer_ratio`` (a float's exact value) is read in symnet.conversion only."""
    found = [str(f.relative_to(ROOT)) for f in _front_end_files() if "as_integer_ratio" in f.read_text()]
    assert found == []


def test_each_conversion_function_is_defined_once() -> None:
    """The conversion's names are defined only where CONVERSION says; ``exact_rational`` and ``exact_fmpq`` in
    the two conversion modules alone (the kernel's, of sympy numbers, and every other type's)."""
    found: dict[str, list[str]] = {}
    for f in sorted(ROOT.rglob("*.py")):
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.FunctionDef) and node.name in {*CONVERSION, "exact_rational", "exact_fmpq"}:
                found.setdefault(node.name, []).append(str(f.relative_to(ROOT)))
    assert found == {
        **{name: [module] for name, module in CONVERSION.items()},
        "exact_rational": ["conversion.py", "numbers.py"],
        "exact_fmpq": ["conversion.py", "numbers.py"],
    }


def test_the_kernel_loads_the_sympy_reading_alone() -> None:
    """The trusted base reads numbers through symnet.numbers; the user-facing conversion stays outside it."""
    loaded = set(trusted_modules())
    assert "symnet.numbers" in loaded
    assert "symnet.conversion" not in loaded


# ---------------------------------------------------------------- the kernel's reading and the conversion agree
@given(st.floats(allow_nan=False, allow_infinity=False), st.sampled_from([15, 53, 100]))
def test_the_conversion_reads_a_sympy_float_as_the_kernel_does(x: float, dps: int) -> None:
    """A sympy Float (at any precision) is its exact binary value, by both routes; Fraction is the oracle."""
    f = sympy.Float(x, dps)  # 15 digits hold a double's 53 bits: f is x exactly
    ratio = kernel_numbers.sympy_ratio(f, "x")
    assert Fraction(*ratio) == Fraction(x)
    assert conversion.exact_ratio(f, "x") == ratio
    assert kernel_numbers.exact_rational(f, "x") == conversion.exact_rational(f, "x")
    assert kernel_numbers.exact_fmpq(f, "x") == conversion.exact_fmpq(f, "x")


@pytest.mark.parametrize(
    "value, error",
    [
        (sympy.nan, InvalidArgument),
        (sympy.oo, InvalidArgument),
        (-sympy.oo, InvalidArgument),
        (sympy.zoo, InvalidArgument),
        (sympy.Float("inf"), InvalidArgument),
        (sympy.sqrt(2), InvalidType),
        (sympy.Symbol("a"), InvalidType),
        (sympy.I, InvalidType),
    ],
)
def test_both_routes_refuse_a_sympy_non_number_alike(value: sympy.Basic, error: type) -> None:
    for read in (kernel_numbers.sympy_ratio, conversion.exact_ratio, kernel_numbers.exact_fmpq):
        with pytest.raises(error, match="^x="):
            read(value, "x")


@pytest.mark.parametrize("value", [0.5, 3, Fraction(1, 2), Decimal("0.5"), np.float64(0.5), np.int32(3)])
def test_the_kernel_reading_takes_sympy_numbers_alone(value: object) -> None:
    """What is not a sympy number is the conversion's to read (Fraction is the oracle), never the kernel's."""
    for read in (kernel_numbers.sympy_ratio, kernel_numbers.exact_rational, kernel_numbers.exact_fmpq):
        with pytest.raises(InvalidType):
            read(value, "x")  # type: ignore[arg-type]
    assert Fraction(*conversion.exact_ratio(value, "x")) == Fraction(value)  # type: ignore[arg-type]


# ---------------------------------------------------------------- fq: the regions results' reader
@pytest.mark.parametrize(
    "value, expected",
    [
        (0.1, Fraction(0.1)),
        (np.float32(0.1), Fraction(*float(np.float32(0.1)).as_integer_ratio())),
        (sympy.Float(0.25), Fraction(1, 4)),
        (Decimal("0.1"), Fraction(1, 10)),
        (Fraction(-7, 3), Fraction(-7, 3)),
        (sympy.Rational(5, 6), Fraction(5, 6)),
        (np.int64(-4), Fraction(-4)),
    ],
)
def test_fq_reads_the_exact_value(value: object, expected: Fraction) -> None:
    got = fq(value, "x")
    assert Fraction(int(got.p), int(got.q)) == expected


@pytest.mark.parametrize(
    "value, error",
    [
        ("w", InvalidArgument),  # a name is no number
        (sympy.sqrt(2), InvalidArgument),
        (sympy.Symbol("a"), InvalidArgument),
        (float("nan"), InvalidArgument),
        (float("inf"), InvalidArgument),
        (True, InvalidType),
        (1 + 2j, InvalidType),
        (object(), InvalidType),
    ],
)
def test_fq_refuses_with_typed_errors(value: object, error: type) -> None:
    with pytest.raises(error):
        fq(value, "x")


def test_region_membership_reads_a_float_point_exactly() -> None:
    """relu(x - 0.1): the kink sits at the float 0.1's exact binary value, not at 1/10."""
    net = symnet.Network.from_matrices([[[1]], [[1]]], [[-0.1], [0]], activation="relu")
    regs = symnet.regions(net, box=[(-1, 1)])
    kink = Fraction(0.1)  # 3602879701896397/36028797018963968, just above 1/10
    assert kink > Fraction(1, 10)
    on_flat = [r for r in regs if r.contains([Fraction(1, 10)], strict=True)]
    assert len(on_flat) == 1 and on_flat[0].affine([Fraction(1, 10)]) == (0,)
    # the float 0.1 is the kink itself: on the boundary of both regions, inside neither strictly
    assert len([r for r in regs if r.contains([0.1])]) == 2
    assert not any(r.contains([0.1], strict=True) for r in regs)


# ---------------------------------------------------------------- the codegen guard
def test_the_domain_guard_reads_floats_exactly() -> None:
    """On the box [0, 1]: 1.0 and np.float32(1) are inside, 1 + 2**-52 outside (exactly, no rounding)."""
    proof = PiecewiseProof.from_regions(
        symnet.regions(symnet.Network.from_matrices([[[1]], [[1]]], [[0], [0]], activation="relu"), box=[(0, 1)])
    )
    f = proof.lambdify()
    assert f(1.0) == (1,) and f(np.float32(1)) == (1,)
    with pytest.raises(InvalidArgument):
        f(1 + 2.0**-52)
    with pytest.raises(InvalidArgument):  # NaN is no point of the box
        f(float("nan"))
    with pytest.raises(InvalidType):
        f("0.5")


# ---------------------------------------------------------------- Coq numbers
def test_coq_numbers_are_exact_and_refusals_typed() -> None:
    assert coq_ratio(sympy.Float(0.1), "w") == (0.1).as_integer_ratio()
    assert to_term(sympy.Float(0.5)).value == Fraction(1, 2)
    for bad in (sympy.Symbol("a"), sympy.sqrt(3), sympy.Float("nan"), sympy.oo):
        with pytest.raises(CoqExportError):
            coq_ratio(bad, "w")


# ---------------------------------------------------------------- outward rounding
@given(
    st.fractions(min_value=Fraction(-(10**30)), max_value=Fraction(10**30)).filter(lambda q: q != 0),
    st.integers(min_value=1, max_value=30),
)
def test_round_outward_brackets_with_the_asked_digits(q: Fraction, digits: int) -> None:
    """n * 10**e <= q (down) or >= q (up), off by less than one unit in the last place, n of ``digits`` digits."""
    for direction in ("down", "up"):
        n, e = round_outward(sympy.Rational(q.numerator, q.denominator), digits, direction)
        r = Fraction(n) * Fraction(10) ** e
        unit = Fraction(10) ** e
        if direction == "down":
            assert r <= q < r + unit
        else:
            assert r - unit < q <= r
        assert 10 ** (digits - 1) <= abs(n) <= 10**digits  # 10**digits: an up-rounding that carries (99.9 -> 100)
