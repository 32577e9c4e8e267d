"""Untrusted names: validated by one grammar (symnet.names), escaped or refused wherever they are printed."""

from __future__ import annotations

import keyword
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

import symnet
from symnet import names
from symnet.cli.main import main
from symnet.errors import InvalidArgument, SymnetError
from tests.budget import examples

GOOD = ["x_1", "b_{1,2}", "c_k", "b^{(2)}_{1,0}", "W^{(l)}_{k,j}", "zoo", "x_12", r"\alpha_1", r"b_{1,\beta}", "s0"]
HOSTILE = [
    r"\input{/etc/hostname}",
    r"x_{\input hostname}",
    r"\input",
    r"x_{\def}",
    r"\write18",
    'a"b',
    "x%y",
    "x#1",
    "x$y",
    "x_{^^5cinput a}",
    "x_{1}}",
    "x_{",
    "<script>",
    "x*)y",
    "αβ",
    "",
    "a" * 201,
    "x\ny",
    r"\alphax",
]


@pytest.mark.parametrize("name", GOOD)
def test_names_of_the_grammar_are_accepted(name: str) -> None:
    assert names.check_name(name) == name
    tex = names.latex_name(name)
    assert names.check_tex(tex) == tex


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_are_refused(name: str) -> None:
    assert not names.is_name(name)
    with pytest.raises(InvalidArgument):
        names.check_name(name)
    with pytest.raises(InvalidArgument):
        names.latex_name(name)


@pytest.mark.parametrize(
    "tex",
    [
        r"\input{/etc/hostname}",
        r"x + \immediate\write18{ls}",
        r"\catcode`\^=7",
        "50%",
        "^^5cinput x",
        r"a \def\b{c}",
        "$x$",
        "{x",
        "x}",
        "<img src=x>",
        r"\csname input\endcsname",
    ],
)
def test_check_tex_refuses_what_could_read_files_or_escape_math(tex: str) -> None:
    with pytest.raises(InvalidArgument):
        names.check_tex(tex)


@pytest.mark.parametrize(
    "tex", [r"\frac{1}{2} x_{1}", r"\left|b_{1,2}\right|", r"50\%", r"\max\left(0, t\right)", r"a \\ b"]
)
def test_check_tex_passes_ordinary_formulas(tex: str) -> None:
    assert names.check_tex(tex) == tex


_COQ_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_']*")
_COQ_KEYWORDS = {"fun", "forall", "match", "end", "let", "in", "if", "then", "else", "Definition", "Qed", "_"}


@settings(max_examples=examples(300), deadline=None)
@given(st.text(max_size=30), st.text(max_size=30))
def test_identifier_maps_are_injective_and_valid(a: str, b: str) -> None:
    for f in (names.coq_identifier, names.python_identifier, names.c_identifier):
        fa, fb = f(a), f(b)
        assert (fa == fb) == (a == b)
        assert _COQ_IDENT.fullmatch(fa) and fa not in _COQ_KEYWORDS and fa.isascii()
        assert fa.isidentifier() and not keyword.iskeyword(fa)


@settings(max_examples=examples(300), deadline=None)
@given(st.text(max_size=60))
def test_coq_comment_never_closes_early(text: str) -> None:
    c = names.coq_comment(text)
    body = c[3:-3]
    assert c.startswith("(* ") and c.endswith(" *)")
    assert "(*" not in body and "*)" not in body and '"' not in body and body.isascii()


@settings(max_examples=examples(300), deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40))
def test_markdown_text_reads_back_as_plain_text(text: str) -> None:
    # an independent CommonMark parser: the escaped text is one paragraph of plain text equal to the input
    tokens = MarkdownIt("commonmark").parseInline(names.markdown_text(text))
    children = tokens[0].children if tokens else []
    kinds = {t.type for t in children or []}
    assert kinds <= {"text", "softbreak"}, kinds
    assert "".join(t.content for t in children or []) == text


@settings(max_examples=examples(200), deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=40))
def test_markdown_code_span_holds_the_text(text: str) -> None:
    tokens = MarkdownIt("commonmark").parseInline(names.markdown_code(text))
    children = tokens[0].children or []
    assert [t.type for t in children] == ["code_inline"]
    assert children[0].content.strip(" ") == text.strip(" ") or children[0].content == text


# ------------------------------------------------------------- end to end
def _proof_with(name: str) -> symnet.Proof:
    s = sympy.Symbol(name)
    return symnet.prove(symnet.Network.from_matrices([[[s, 1]]], [[0]]))


@pytest.mark.parametrize("name", [r"\input{/etc/hostname}", r"x_{\input hostname}", r"\openin5=/etc/hostname", "x%y"])
def test_latex_and_markdown_renders_refuse_hostile_names(name: str) -> None:
    proof = _proof_with(name)
    for render in (lambda: proof.to_latex(document=True), proof.to_markdown):
        with pytest.raises(SymnetError):
            render()


@pytest.mark.parametrize("name", [r"\input{/etc/hostname}", r"\include{secret}"])
def test_render_latex_command_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """The command, run in this process (the test below runs it in an interpreter of its own, in CI)."""
    cert = tmp_path / "c.json"
    cert.write_text(_proof_with(name).to_json())
    for fmt in ("latex", "markdown"):
        assert main(["render", "--format", fmt, str(cert)]) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err


@pytest.mark.slow
@pytest.mark.parametrize("name", [r"\input{/etc/hostname}", r"\include{secret}"])
def test_cli_render_latex_exits_2_with_one_line(tmp_path: Path, name: str) -> None:
    cert = tmp_path / "c.json"
    cert.write_text(_proof_with(name).to_json())
    for fmt in ("latex", "markdown"):
        r = subprocess.run(
            [sys.executable, "-m", "symnet", "render", "--format", fmt, str(cert)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert r.returncode == 2, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_latex_render_of_good_names_still_works() -> None:
    out = _proof_with("b_{1,2}").to_latex(document=True)
    assert "b_{1,2}" in out


@pytest.mark.slow  # coqc takes about a second per file
@pytest.mark.skipif(shutil.which("coqc") is None, reason="coqc is not installed")
@pytest.mark.parametrize("name", ['a"b', "x*)y", "(*c", 'q"(*"'])
def test_coq_export_with_quotes_and_comment_marks_compiles(tmp_path: Path, name: str) -> None:
    text = _proof_with(name).to_coq()
    f = tmp_path / "Net.v"
    f.write_text(text)
    r = subprocess.run(["coqc", str(f)], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
