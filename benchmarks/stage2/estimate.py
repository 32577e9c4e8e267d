"""The trusted base after stage 2, module by module: the table of docs/redesign.md, section 7 (3,668 -> ~3,047).

Today's code lines are the counts of tests/test_trusted_base.py on main dd282c5 (written in, not re-counted: main has
moved on); the after-figures are estimates from the prototypes' sizes (count_lines.py), not measurements.

Run from the repository root:  python benchmarks/stage2/estimate.py
"""
ROWS = [  # module, today, after, why
    ("kernel/__init__", 30, 30, "unchanged"),
    ("model/form (new)", 0, 75, "Table, node kinds, program/run (kform.py: 12 + 45 + slack)"),
    ("kernel/ring", 147, 95, "limits, guard over the Costs ring, the rings QQ/fmpq_poly/fmpq_mpoly/arb (kform: ~70); "
     "exact/monomials/radicals/Exact.poly gone"),
    ("kernel/gate", 258, 150, "no sympy walk, no _plain/recorded; activations through the POLY/mpoly ring; "
     "named formulas compared by ref"),
    ("kernel/linear", 298, 250, "_equal/_compare by refs, _block as refs, _estimate over Costs, "
     "claims as refs or fmpq_mpoly"),
    ("kernel/qq", 169, 145, "stated matrices are fmpq_mat or triplets (no sympy MatrixBase/SDM reading)"),
    ("kernel/counterexample", 237, 160, "one forward over rings (knet.forward: 25); interval rules are the Balls ring; "
     "values v2 (option B)"),
    ("kernel/degree", 138, 125, "bounds by zero refs; along_line = forward over fmpq_poly"),
    ("kernel/regions_cert", 223, 210, "pieces() read from the table (Max/Min/Abs nodes)"),
    ("kernel/verification", 221, 221, "already numeric"),
    ("kernel/generic + generic_rules", 271, 260, "sizes as fmpz_mpoly in size generators (no sympy.expand)"),
    ("certificate/__init__, formats", 63, 63, "unchanged"),
    ("certificate/documents", 279, 255, "values and weights as fmpq / refs"),
    ("certificate/expressions", 292, 205, "the node table read into Table (no sympy, no flattening-work limits); "
     "network as refs"),
    ("certificate/linear", 100, 95, "matrices as refs / fmpq_mat"),
    ("certificate/numbers, verification", 165, 165, "unchanged"),
    ("model/core", 146, 115, "NetworkData = names + table + layers (fmpq_mat or ref array) + activations (name, ref)"),
    ("model/exact", 118, 40, "after stage 1: fmpq_mat and a sparse triplet form only"),
    ("model/generic", 199, 190, "sizes without sympy"),
    ("model/symbols", 36, 0, "flat_entries, recorded, generated_heads gone; paused_gc moves to the builders"),
    ("cost", 133, 85, "leaf of an fmpq; postorder, estimate_cost, _node, Float bits and sympy show gone"),
    ("grammar, errors", 78, 78, "unchanged"),
    ("numbers", 67, 35, "only the fmpq side stays in the base (exact_rational/exact_floats to sympy move out)"),
]


def main() -> None:
    today = sum(r[1] for r in ROWS)
    after = sum(r[2] for r in ROWS)
    for m, t, a, why in ROWS:
        print(f"| `{m}` | {t} | {a} | {why} |")
    print(f"| **total** | **{today}** | **{after}** | |")
    print(f"without issue 20's sparse layers (+132) and issue 21's verification checker (+360): {after - 132 - 360}")


if __name__ == "__main__":
    main()
