"""Code lines of the stage-2 prototypes, counted as ``tests/test_trusted_base.py`` counts the trusted base
(docs/redesign.md, section 7: ``kform.py`` 158, ``knet.py`` 65, ``terms.py`` 120).

Run from the repository root:  python benchmarks/stage2/count_lines.py
"""

from pathlib import Path

import _paths  # noqa: F401  (the repository root on sys.path, for tests.test_trusted_base)

from tests.test_trusted_base import code_lines

HERE = Path(__file__).resolve().parent


def main() -> None:
    for name in ("kform.py", "knet.py", "terms.py"):
        print(f"{code_lines((HERE / name).read_text()):5d}  prototype {name}")


if __name__ == "__main__":
    main()
