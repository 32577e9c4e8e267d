"""The trusted base, measured: every symnet module that ``import symnet.kernel`` loads, in code lines.

Code lines are lines holding a token other than a comment, a docstring or
whitespace.  The count is printed (``pytest -s tests/test_trusted_base.py``)
and bounded, so the base cannot grow unnoticed; issue 19's target is 2,500.
"""

from __future__ import annotations

import ast
import io
import pathlib
import tokenize

import symnet
from tests.test_architecture import TRUSTED, modules_loaded_by  # what the trusted base may load of symnet

ROOT = pathlib.Path(symnet.__file__).parent
#: A ratchet, lowered whenever the base shrinks: 4,598 measured after the issue-19 merge; 4,730 with issue 20's
#: sparse layers (+132: the sparse section reader 25, SparseQQMatrix 19, the kernel's sparse compare and product 70,
#: the gate's bound on the sparse layers it reads 4, Network.evaluate of a sparse layer 14)
#: (target 2,500; docs/architecture.md says what is left).
#: 4,738 with issue 22 (+8: Network.parameter, errors UnknownName and MissingDependency); 4,717 once the kernel's
#: numeric forward passes were merged (one QQ pass for piecewise-affine networks; degree's line pass is layer_outputs).
#: + 360 for issue 21's verification checker (kernel/verification.py 225, certificate/verification.py 132,
#: the two table rows and an import 3); 5,072 with kernel/verification.py's stacked integer products; 4,983 once the
#: kernel's checkers were folded (numeric.py into linear.py over kernel/qq.py, one ring forward pass, the generic
#: rules' LaTeX moved to render/generic.py, regions' format constants to their writer; +4 for the peak-layer guard).
#: The model engineer's steps, measured alone from 5,072:
#: 4,762 once the readers build the kernel's network form (symnet.model.core.NetworkData) and the user-facing
#: Network (coercion, evaluation, look-up: model/network.py, coerce.py, forward.py, lookup.py) left the base;
#: 4,689 with activation() (reading a user's activation) and the numpy readers (model/arrays.py) out as well;
#: 4,624 once NetworkData checks only the structure (the gate checks entries, activations and names before any
#: checker reads them; symnet.Network checks them for users); 4,566 once the kernel's data classes (Activation, Layer,
#: GenericNetwork) import no display code (model/display.py attaches the hooks when a user-facing module loads it);
#: 4,570 with the reader's layers built over QQ straight from the node table (+4; an MNIST-size read 10.8 s -> 8.8 s);
#: 4,562 without RegionsDocument.contains (no caller: the results guard their domain themselves); 4,551 with the
#: linear-only loads() in the old codec path (certificate.read is the reader the kernel's callers use).
#: Both merged (and the linear checker reading NetworkData): 4,462.
#: The exact engineer's steps on kernel/verification.py, from 5,072:
#: 5,104 with the optional lower slopes per proof (the reader's strict slopes list 21, the kernel's use 11);
#: 5,127 with the cheaper exact bounds (interval bounds first, back-substitution on live neurons only).
#: All three merged: 4,517; 4,518 with a refusal message that shows a too-long number by its size; 4,522 with
#: the verification reader refusing a node past the last leaf before reading the rest.
#: Fourth session, each part of the base made simpler on its own branch, then merged: the interval rules on
#: python-flint arb balls and the degree checker gating once (-60); the gate split by job (gate.py rules, ring.py
#: exact layer) with one reading of an expression (-120) and a second pass (symbol matrices' constructor out, floats
#: read once, check_structure; -45); the model's user-only helpers out (-98); the linear checker one path per job
#: (-68); one cost model and one set of document decoders (-178) and the linear reader through expressions.start
#: (-42); one reading of a numeric piecewise-affine network for regions and verification (-67); one derivation of
#: a generic proof (-48).  All merged: 3,792; 3,794 with the linear checker's identity pass reaching the end of
#: both sequences; 3,796 with qq.network applying the gate's structural rules before it reads a layer.
#: Fifth session, third passes: the linear checker's claim compared once and its reader's steps in three lines
#: (-14); cex3: one function table (ring.FUNCTIONS), one precision loop, dead Float branches out (-18).
#: certs3: no lazy writer re-exports in symnet.certificate, one way to read a float node exactly, one place that
#: makes a reader's SymnetError a CertificateError, GenericCertificate.kind (-39).
#: pl3: regions' pieces applied as one fmpq_mat, rows at a point and combination as products (-27).
#: generic3: a rule unifies its shapes in derive, one self-check path, a step's failure as partial (-21).
#: core3: distinct input names one rule of check_structure, not repeated by gate and qq; qq.augmented by rows (-6).
#: verif3: one way to take the extremes of affine functions over a box in the verification checker (-7).
#: +1: the regions reader bounds the stated unit count by the network's hidden units before it reads a pattern.
#: +4: a message never prints a number Python refuses to print (cost.show; the counterexample checker uses it).
#: Sixth session, numbers: the kernel reads sympy numbers alone (symnet.numbers), others are symnet.conversion's (-33);
#: cost.show one path for every value, a power's term bound inline (-8).
#: Sixth session: the generic rules' self-test (statements, fresh-symbol instances, ExplicitOps) out of the base
#: to model/generic_selftest.py, kernel/generic_rules.py folded into kernel/generic.py (-97).
#: Both merged: 3,530.
#: pass4: one counterexample check (the document's layer an optional argument), degree's two routes inline (-27).
#: qqstore: layers store numbers as python-flint matrices the kernel reads directly; model/exact.py (sympy views) out.
#: All four merged (numbers, selfcheck, pass4, qqstore): 3,432.
#: +4: a document's decimal integers past Python's 4,300-digit limit are read through python-flint (decimal).
#: +10: the float nodes' precision limit named once (MAX_FLOAT_PRECISION, which the writer now also applies; the
#: codec's __all__ now takes a line a name), and an API enclosure that is not a pair refused as a CertificateError.
#: +1: shape_of gives (-1, -1) for an SDM whose shape is no pair of ints (a TypeError escaped the kernel before).
#: +2: the numeric route's explicit product refuses numbers past MAX_BITS (the gate's bound, which it never met).
#: -1: a layer's sympy view is made by model/exact when asked for (no registration hook in model/core).
#: +65: the work budget of the exact products over QQ (qq.work, cost, budget, MAX_WORK; linear.work) and the sparse
#: product packing the running product's rows into one integer per column (one multiply per nonzero).
#: +100: crafted documents bounded up front (issue 19, slowhunt): the reader's function nesting, the work of sympy's
#: numeric evaluation of function nodes and the Max/Min comparisons; the exact evaluation's work (width counted, a
#: witness line's length) and the depth, numeric-evaluation work and tree size of a non-polynomial network's exact
#: values; the gate reads a shared entry node once a layer and the cost model estimates it once.
#: Both merged (budget, slowhunt): 3,613.
#: -6: the value guard's three estimates in one function (value_size), which refute applies up front too.
#: optionb (+16, 3,607 -> 3,623): counterexample documents version 2: values not rational are stated by enclosures
#: checked by one ball pass (ball_values, rational_network, the stated-value checks; the reader takes versions 1
#: and 2); the value bound (value_size, VALUE_LIMITS, tree_guard) and enclosure/interval_sign (now tests' helpers) out.
#: (+2 of them: stated values compared with the balls as balls, never through rationals of 10**11-bit exponents.)
#: +6: the packed sparse product packs and unpacks rows through bytes (review7: the shifts were quadratic in the rows).
#: +7: the work estimate counts the gcds that reduce each entry of a product over QQ and of a factor scaled by its
#: slope (review7).
#: +4: the lcm of a layer's denominators bounded before it is formed (review7).
#: +1: the estimate counts reading the running product (a wide one between narrow layers, review7).
#: All merged (optionb, review7): 3,641.
#: +2: a sparse matrix with attributes of its own refused (an instance can shadow the dict methods the kernel reads).
#: Eighth session: +24: the direct route's expansion of an affine network estimated by its monomials (qq.direct, one
#: estimate for prove and check), the estimate decided from the entries' heights first and read tight only past the
#: limit (qq.estimate; MNIST 4.5x -> 3.5x the flint floor), OverBudget (a refusal for work; prove: SizeGuardError).
#: base8 (-78): the generic claim as data, its rank derived once, four counterexample claims one way, reprs out.
#: Both merged: 3,589.
#: +37 (read8): the regions reader refuses a repeated pattern and more regions than the network can have before
#: decoding any region; the rational codec's parse cache; the node table's int/rat fast path; gc paused as it reads.
#: All three merged: 3,626.
#: review8: the direct route counted by the levels and gcds of its sums, refused unless the claim lists it (-1).
#: All four merged: 3,625.
CEILING = 3_625


def trusted_modules() -> list[str]:
    """symnet modules loaded by importing ``symnet.kernel`` alone (the package ``__init__`` is not run)."""
    return sorted(modules_loaded_by("kernel"))  # the architecture tests' probe: one interpreter for all


def module_path(name: str) -> pathlib.Path:
    rel = pathlib.Path(*name.split(".")[1:])
    path = ROOT / rel.with_suffix(".py")
    return path if path.exists() else ROOT / rel / "__init__.py"


def code_lines(source: str) -> int:
    """Lines with a token that is not a comment, a docstring or layout."""
    docstrings: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                docstrings.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    layout = (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER)
    lines: set[int] = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type not in layout:
            lines.update(range(tok.start[0], tok.end[0] + 1))
    return len(lines - docstrings)


def test_code_lines_counts_only_code():
    """Independent count by hand: a docstring, a comment and blank lines are not code; a two-line call is two."""
    source = (
        '"""doc\nmore"""\n\n# comment\nx = 1  # trailing\ny = f(\n    2)\n\ndef g():\n    """doc"""\n    return x\n'
    )
    assert code_lines(source) == 5  # x = 1; y = f(; 2); def g():; return x


def test_the_user_facing_network_is_outside_the_base():
    """The kernel checks the readers' network form; coercion of user input and evaluation never load with it."""
    loaded = set(trusted_modules())
    assert "symnet.model.core" in loaded
    user_side = {"symnet.model.network", "symnet.model.coerce", "symnet.model.forward", "symnet.model.arrays"}
    user_side |= {"symnet.model.display", "symnet.model.exact"}  # sympy views of the stored layers, made outside
    assert loaded.isdisjoint(user_side | {"symnet.model.activations", "symnet.model.lookup"})


def test_trusted_base_size(capsys):
    """Print the trusted base, module by module, and keep it under the ceiling."""
    counts = {m: code_lines(module_path(m).read_text(encoding="utf-8")) for m in trusted_modules()}
    total = sum(counts.values())
    with capsys.disabled():
        print()
        for m, n in counts.items():
            print(f"{n:6d}  {m}")
        print(f"{total:6d}  trusted base (code lines)")
    assert {m for m in counts if not m.startswith(TRUSTED)} == set()
    assert total <= CEILING, f"the trusted base grew to {total} code lines (ceiling {CEILING})"
