"""Reading a copy back gives its codeword; transformations erase, they do not invent."""

import random

import numpy as np

from leaktrace import simulate
from leaktrace.marks.code import Code, make_biases
from leaktrace.marks.declared import resolve
from leaktrace.marks.embed import render
from leaktrace.marks.read import ERASED, READ, read, read_text_status
from leaktrace.marks.channels import find_sites
from leaktrace.marks.sites import Channel
from leaktrace.text.align import DocIndex, align
from leaktrace.text.protect import find_protected
from leaktrace.text.tokens import tokenize
from samples import MEMO

KEY = b"r" * 32
BASE, DECLARED = resolve(MEMO)
TOKENS = tokenize(BASE)
# the channels read from text (the layout channel lives on rendered pages: marks/test_layout.py)
SITES = find_sites(TOKENS, find_protected(BASE), DECLARED, [c for c in Channel if c != Channel.LAYOUT])
CODE = Code(KEY, "doc", make_biases(KEY, "doc", [s.q for s in SITES]), [s.q for s in SITES])
INDEX = DocIndex(TOKENS)


def reading_of(leak: str) -> np.ndarray:
    lt = tokenize(leak)
    return read(SITES, TOKENS, lt, align(INDEX, lt))


def test_a_whole_copy_reads_back_as_its_codeword_at_every_site():
    """Every site reads its codeword's variant, except a family whose every read site shows one
    and the same variant (erased by design: a tool normalizing that family would read so)."""
    for rid in ("ann", "bob", "cy"):
        x = CODE.codeword(rid)
        lt = tokenize(render(BASE, SITES, x))
        y, status = read_text_status(SITES, TOKENS, lt, align(INDEX, lt))
        readable = y >= 0
        assert np.array_equal(y[readable], x[readable])
        erased = status == ERASED
        for fam in {family_of(SITES[i]) for i in np.flatnonzero(erased)}:
            members = [i for i, s in enumerate(SITES) if family_of(s) == fam and status[i] in (READ, ERASED)]
            assert len({int(x[i]) for i in members}) == 1 and all(status[i] == ERASED for i in members)
        assert (readable | erased).mean() > 0.97


def family_of(site) -> tuple[str, str]:
    return site.channel.value, site.kind.split(":")[0]


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
