"""Reading a copy back gives its codeword; transformations erase, they do not invent."""

import random

import numpy as np

from leaktrace import simulate
from leaktrace.marks.code import Code, make_biases
from leaktrace.marks.declared import resolve
from leaktrace.marks.embed import render
from leaktrace.marks.read import read
from leaktrace.marks.channels import find_sites
from leaktrace.text.align import DocIndex, align
from leaktrace.text.protect import find_protected
from leaktrace.text.tokens import tokenize
from samples import MEMO

KEY = b"r" * 32
BASE, DECLARED = resolve(MEMO)
TOKENS = tokenize(BASE)
SITES = find_sites(TOKENS, find_protected(BASE), DECLARED)
CODE = Code(KEY, "doc", make_biases(KEY, "doc", [s.q for s in SITES]), [s.q for s in SITES])
INDEX = DocIndex(TOKENS)


def reading_of(leak: str) -> np.ndarray:
    lt = tokenize(leak)
    return read(SITES, TOKENS, lt, align(INDEX, lt))


def test_a_whole_copy_reads_back_as_its_codeword_at_every_site():
    for rid in ("ann", "bob", "cy"):
        x = CODE.codeword(rid)
        y = reading_of(render(BASE, SITES, x))
        readable = y >= 0
        assert readable.mean() > 0.97
        assert np.array_equal(y[readable], x[readable])


def test_transformed_copies_only_erase_or_read_true_variants():
    rng = random.Random(11)
    x = CODE.codeword("dana")
    copy = render(BASE, SITES, x)
    for leak in (simulate.sanitize(copy), simulate.retype(copy, rng, typo_rate=0.0)):
        y = reading_of(leak)
        read_ = y >= 0
        assert read_.sum() > 10
        assert np.array_equal(y[read_], x[read_])
    channels = {SITES[i].channel.value for i in np.flatnonzero(reading_of(simulate.retype(copy, rng)) >= 0)}
    assert "invisible" not in channels and "lexical" in channels


def test_the_unmarked_original_reads_variant_zero_or_nothing():
    y = reading_of(BASE)
    assert set(np.unique(y).tolist()) <= {-1, 0}


def test_dash_spacing_survives_a_typist_writing_double_hyphens():
    from leaktrace.marks.sites import observe

    assert observe("folded", "plan — now") == observe("folded", "plan -- now") == observe("folded", "plan - now")
    assert observe("folded", "plan—now") == observe("folded", "plan--now") != observe("folded", "plan -- now")
