"""The keyed code: deterministic, key-dependent, unbiased, and rebuildable."""

import numpy as np

from leaktrace.marks.code import Code, copy_id, make_biases

KEY = bytes(range(32))


def code_for(key=KEY, doc="doc-a", qs=(2, 16, 3) * 200):
    return Code(key, doc, make_biases(key, doc, qs), qs)


def test_codewords_are_deterministic_per_key_document_and_recipient():
    c = code_for()
    assert np.array_equal(c.codeword("alice"), code_for().codeword("alice"))
    assert not np.array_equal(c.codeword("alice"), c.codeword("bob"))
    assert not np.array_equal(c.codeword("alice"), code_for(key=bytes(32)).codeword("alice"))
    assert not np.array_equal(c.codeword("alice"), code_for(doc="doc-b").codeword("alice"))


def test_symbols_stay_within_each_sites_variants():
    c = code_for()
    x = c.codewords([f"r{i}" for i in range(50)])
    assert (x >= 0).all() and (x < c.qs[None, :]).all()


def test_biases_are_valid_distributions_with_a_floor():
    qs = [2, 16, 3, 5]
    p = make_biases(KEY, "d", qs)
    assert np.allclose(p.sum(axis=1), 1)
    for row, q in zip(p, qs):
        assert (row[:q] >= 0.02 / q * 0.9).all() and (row[q:] == 0).all()


def test_variant_frequencies_follow_the_biases():
    qs = [4] * 20
    c = Code(KEY, "d", make_biases(KEY, "d", qs), qs)
    x = c.codewords([f"r{i}" for i in range(4000)])
    freq = np.stack([(x == v).mean(axis=0) for v in range(4)], axis=1)
    assert np.abs(freq - c.biases).max() < 0.04


def test_copy_ids_are_short_stable_and_keyed():
    a = copy_id(KEY, "d", "alice")
    assert a == copy_id(KEY, "d", "alice") and a.startswith("C") and len(a) == 9
    assert a != copy_id(bytes(32), "d", "alice") and a != copy_id(KEY, "d", "bob")
