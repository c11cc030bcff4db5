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


def _one_passage(doc_text: str, leak: str, copied: str) -> None:
    al = align(DocIndex(tokenize(doc_text)), tokenize(leak))
    spans = [(leak[p.leak_start:p.leak_end], doc_text[p.doc_start:p.doc_end]) for p in al.passages]
    assert spans == [(copied, copied)]
    (p,) = al.passages
    assert p.doc_start == doc_text.index(copied)


def test_a_phrase_the_document_repeats_aligns_where_the_copied_sentence_is():
    # "the end line" is in both sentences; the copied sentence must not be split between them
    doc = ("The block starts with a start line. Between the start line and the end line is the input. "
           "In between the end line and the checksum line is the output. All of it is checked.")
    copied = "In between the end line and the checksum line is the output."
    _one_passage(doc, f'As the notes put it, "{copied}" We never ran it.', copied)
    doc = ("Return a datetime.time object with the specified hour, minute, second and microsecond. "
           "Return a datetime.time object with the specified hour, minute, second, microsecond and fold.")
    copied = "Return a datetime.time object with the specified hour, minute, second, microsecond and fold."
    _one_passage(doc, f"The manual is explicit: {copied}", copied)


def test_filler_that_shares_a_few_words_does_not_take_them_from_the_copied_passage():
    doc = ("Most tests run by default. For a list of all resources and more command-line options, "
           "run the runner with its help flag.")
    copied = "For a list of all resources and more command-line options, run the runner with its help flag."
    leak = ("The foundation will maintain a list of standard codes for private use. "
            f"As the documentation puts it, {copied}")
    _one_passage(doc, leak, copied)
