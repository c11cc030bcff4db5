import random

from leaktrace import simulate
from leaktrace.text.align import DocIndex, align
from leaktrace.text.tokens import tokenize

from samples import MEMO


def test_verbatim_excerpt_aligns_to_its_offsets():
    start = MEMO.index("Crews at Millbrook")
    end = MEMO.index("every winter.") + len("every winter.")
    leak = "Reported: " + MEMO[start:end] + " That is all."
    doc = tokenize(MEMO)
    al = align(DocIndex(doc), tokenize(leak))
    assert len(al.passages) == 1
    p = al.passages[0]
    assert MEMO[p.doc_start:p.doc_end] == MEMO[start:end]
    assert leak[p.leak_start:p.leak_end] == MEMO[start:end]


def test_alignment_survives_retyping_edits_and_swapped_sentences():
    rng = random.Random(3)
    section = MEMO[MEMO.index("The western"):MEMO.index("## What changes")]
    leak = simulate.edit(section, rng)
    doc = tokenize(MEMO)
    lt = tokenize(leak)
    al = align(DocIndex(doc), lt)
    words = sum(1 for s in lt.skel if s[0].isalnum())
    assert al.matched >= 0.6 * words
    # every aligned pair really is the same word
    for di in range(len(doc)):
        li = al.doc_to_leak[di]
        if li >= 0:
            assert doc.skel[di] == lt.skel[li]


def test_unrelated_text_does_not_align():
    doc = tokenize(MEMO)
    leak = tokenize("Volunteers repainted the library benches on Saturday and served soup to neighbours.")
    al = align(DocIndex(doc), leak)
    assert not al.passages
