"""Regions documents (issue 22): the one number rule, "≈" once per form, and a table whose rows wrap."""

from __future__ import annotations

import decimal
import re
from fractions import Fraction

import pytest

import symnet
from tests.render_gallery import regions_net


def decimal6(q: Fraction) -> str:
    ctx = decimal.Context(prec=6, rounding=decimal.ROUND_HALF_EVEN)
    return f"{ctx.divide(decimal.Decimal(q.numerator), decimal.Decimal(q.denominator)):f}"


@pytest.fixture(scope="module")
def regs() -> symnet.Regions:
    return symnet.regions(regions_net([6]), box=[(-1, 1), (-1, 1)])


def test_forms_are_marked_approx_once_not_on_every_term(regs):
    """``ŷ ≈ a + b x_1 + c x_2``: one ≈ per form, each coefficient its 6-digit decimal (decimal module)."""
    r = regs[0]
    text, tex = regs.to_text(), regs.to_latex()
    b0 = Fraction(int(r.offset[0].p), int(r.offset[0].q))
    head = f"y ≈ {decimal6(b0)}" if b0 >= 0 else f"y ≈ -{decimal6(-b0)}"
    assert head in text
    assert "≈-" not in text and "≈0" not in text and "- ≈" not in text and "+ ≈" not in text
    assert tex.count(r"\hat{y} \approx") == min(len(regs), 12)
    assert not re.search(r"[-+=] \\approx", tex)
    for doc in (text, tex, regs.to_markdown()):
        assert doc.count("rounded to 6 significant digits") == 1


def test_exact_option_prints_fractions_and_no_note(regs):
    r = regs[0]
    text = regs.to_text(digits=None)
    a = r.inequalities[0][0][0]
    assert f"{abs(a.p)}/{a.q}" in text
    assert "≈" not in text and "rounded" not in text


def test_short_numbers_stay_exact():
    """relu(x) + relu(x - 1): every number is short, so no ≈ and no note (the docs' example)."""
    net = symnet.Network.from_matrices([[[1], [1]], [[1, 1]]], [[0, -1], [0]], activation="relu")
    text = symnet.regions(net).to_text()
    assert "region 3 [11]: y = -1 + 2*x_1   where -1 + x_1 >= 0" in text and "≈" not in text


def test_long_text_entries_wrap_at_78_columns(regs):
    assert max(len(line) for line in regs.to_text().splitlines()[1:]) <= 78


def test_latex_is_a_longtable_with_every_facet_in_its_own_math(regs):
    """Rows wrap (p-columns), each inequality is separate inline math so TeX may break between them."""
    tex = regs.to_latex(document=True)
    assert "\\begin{longtable}" in tex and "\\usepackage{array,longtable}" in tex
    first = regs[0]
    row = next(line for line in tex.splitlines() if line.startswith("1 & "))
    assert row.count(r"\ge\nobreak 0$") == len(first.inequalities)
    assert "landscape" not in tex


def test_max_regions_counts_the_rest(regs):
    tex = regs.to_latex(max_regions=5)
    assert f"and {len(regs) - 5} more region(s)" in tex
    assert sum(1 for line in tex.splitlines() if re.match(r"^[0-9]+ & ", line)) == 5


def test_long_patterns_break_between_blocks():
    """A 2->[16,16]->1 network's 32-unit pattern is cut into blocks TeX may break between."""
    net = regions_net([16, 16], seed=1)
    regs = symnet.regions(net, box=[(-1, 1), (-1, 1)])
    tex = regs.to_latex(max_regions=1)
    row = next(line for line in tex.splitlines() if line.startswith("1 & "))
    blocks = re.findall(r"\\texttt\{([01]+)\}", row)
    assert "".join(blocks) == "".join(map(str, regs[0].pattern)) and max(map(len, blocks)) <= 12


def test_piecewise_proof_states_its_form_by_the_number_rule():
    """3/2 relu(x) - 3/2 relu(-x) + 1/3: 1/3 stays a fraction, 3/2 is the exact decimal 1.5, in claim and table."""
    net = symnet.Network.from_matrices(
        [[[1], [-1]], [[Fraction(3, 2), Fraction(-3, 2)]]], [[0, 0], [Fraction(1, 3)]], activation="relu"
    )
    proof = symnet.prove(net)
    text, tex = proof.to_text(), proof.to_latex(document=True)
    assert text.startswith("Claim: y = 1/3 + 1.5*x_1") and "≈" not in text
    assert r"\hat{y} = \frac{1}{3} + 1.5 x_{1}" in tex and r"\hat{y} = 1/\penalty5000 3 + 1.5 x_{1}" in tex
    assert r"\section*{" in tex
