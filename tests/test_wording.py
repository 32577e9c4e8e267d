"""Issue #14: derivations and help name the blog post's notation, never "the seed's" (an internal word)."""

from __future__ import annotations

import pytest

import symnet
from symnet import render
from symnet.cli import main


def _documents(proof) -> list[str]:
    if isinstance(proof, symnet.Proof):
        return [render.to_text(proof), render.to_markdown(proof), render.to_latex(proof, document=True)]
    return [proof.to_text(), proof.to_markdown(), proof.to_latex(document=True)]


@pytest.mark.parametrize("inputs, hidden", [(2, [3]), (3, []), ("p", []), ("p", ["h"]), ("p", ["h", "m"])])
def test_derivations_say_blog_post_not_seed(inputs, hidden):
    """Concrete and generic derivations (text, Markdown, LaTeX) credit the blog post; none says "seed"."""
    for doc in _documents(symnet.prove(symnet.dense(inputs, hidden))):
        assert "seed" not in doc.lower()
    one_layer = _documents(symnet.prove(symnet.dense(inputs, [3] if hidden == [] else hidden[:1])))
    assert all("blog post" in " ".join(doc.split()) for doc in one_layer)


def test_crosscheck_help_credits_the_blog_post(capsys):
    """crosscheck's --no-hidden help names the blog post's single node; "--seed" (a random seed) stays."""
    with pytest.raises(SystemExit):
        main(["crosscheck", "--help"])
    flat = " ".join(capsys.readouterr().out.split())
    assert "the blog post's single node" in flat
    assert "seed's" not in flat and "--seed" in flat


# ------------------------------------------------------------- issue 22: the reference
def _all_formats(proof, **options) -> list[str]:
    if isinstance(proof, symnet.Proof):
        return [render.to_text(proof, **options), render.to_markdown(proof, **options),
                render.to_latex(proof, document=True, **options)]
    return [proof.to_text(**options), proof.to_markdown(**options), proof.to_latex(document=True, **options)]


PROOFS = {
    "p=3, [3]": lambda: symnet.prove(symnet.dense(3, [3])),
    "p, [h]": lambda: symnet.prove(symnet.dense("p", ["h"])),
    "p, []": lambda: symnet.prove(symnet.dense("p", [])),
}


@pytest.mark.parametrize("name", sorted(PROOFS))
def test_the_blog_post_is_identified_once_under_the_title(name):
    """A derivation that mentions the blog post says what it is, once, in a Reference paragraph before the Network."""
    for doc in _all_formats(PROOFS[name]()):
        flat = " ".join(doc.split())
        assert flat.count("Reference.") == 1
        assert flat.count("blog post on linear regression written as a neural network") == 1
        assert "A Basic Linear Regression Representated as Neural Network" in flat  # the post's own heading
        assert flat.index("Reference.") < flat.index("Network.")


@pytest.mark.parametrize("name", sorted(PROOFS))
def test_reference_false_leaves_out_every_mention(name):
    proof = PROOFS[name]()
    for doc, full in zip(_all_formats(proof, reference=False), _all_formats(proof), strict=True):
        flat = " ".join(doc.split())
        assert "blog post" not in flat and "Reference" not in flat
        assert "with the identity activation" in flat or "single node adds its bias" in flat
        # nothing else changes: the same steps, the same conclusion
        assert doc.count("Step ") == full.count("Step ") and "Conclusion" in doc


def test_reference_must_be_a_bool():
    with pytest.raises(symnet.InvalidType):
        render.to_text(symnet.prove(symnet.dense(2, [2])), reference="no")


@pytest.mark.parametrize("argv", [["prove"], ["prove", "--inputs", "p", "--hidden", "h"]])
def test_cli_no_reference(argv, capsys):
    for fmt in ("text", "latex", "markdown"):
        assert main([*argv, "--format", fmt]) == 0
        assert "blog post" in capsys.readouterr().out
        assert main([*argv, "--format", fmt, "--no-reference"]) == 0
        out = capsys.readouterr().out
        assert "blog post" not in out and "Reference" not in out


def test_cli_render_no_reference(tmp_path, capsys):
    cert = tmp_path / "proof.json"
    cert.write_text(symnet.prove(symnet.dense(2, [3])).to_json(), encoding="utf-8")
    assert main(["render", str(cert), "--no-reference"]) == 0
    out = capsys.readouterr().out
    assert "Conclusion" in out and "blog post" not in out
