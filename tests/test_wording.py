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
