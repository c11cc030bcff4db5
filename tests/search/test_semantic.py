"""The optional semantic index: the numpy encoder, the ANN index, and life without the extra."""

from __future__ import annotations

import numpy as np
import pytest
from clirunner import run
from requires import require
from reuse_samples import PARAPHRASE
from samples import MEMO

from leaktrace.errors import InputError
from leaktrace.search import passages, semantic


def need_semantic():
    require(semantic.missing())


def test_the_encoder_reproduces_the_model():
    need_semantic()
    v = semantic.encoder().encode(["A man is eating food.", "A man is eating a piece of bread.",
                                   "The girl is carrying a baby."])
    assert v.shape == (3, 384) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    # the pair's cosine as published for all-MiniLM-L6-v2 with sentence-transformers
    assert float(v[0] @ v[1]) == pytest.approx(0.7553, abs=0.002)
    assert float(v[0] @ v[2]) < 0.1


def test_the_index_finds_passages_and_new_documents_join_it(ws):
    need_semantic()
    memo = ws.add_document(text=MEMO, fmt="md", name="memo.md")
    assert ws.build_semantic_index() > 0
    index = semantic.SemanticIndex(ws.path, ws.engine)
    base = ws.base_text(memo.id)
    chunk = passages.chunks(base)[3]
    (hits,) = index.query([chunk.text], k=3)
    assert (hits[0].doc, hits[0].start, hits[0].end) == (1, chunk.start, chunk.end) and hits[0].similarity > 0.99
    close = ("Crews in Millbrook are waiting for parts that lie unused at Fenwick, and every winter Fenwick "
             "borrows vans from Millbrook.")
    (hits,) = index.query([close], k=1)
    assert hits[0].doc == 1 and "Crews at Millbrook" in base[hits[0].start:hits[0].end]
    (unrelated,) = index.query(["Quarterly ticket sales at the harbour ferry rose in the summer."], k=1)
    assert hits[0].similarity > unrelated[0].similarity + 0.2
    # a document added later is embedded as it is registered
    other = ws.add_document(text="Pump station seven needs new impellers before the spring thaw. " * 8,
                            fmt="txt", name="pumps.txt")
    (hits,) = index.query(["The impellers at pump station seven must be replaced before spring."], k=1)
    assert hits[0].doc == int(other.id[1:])


def test_without_the_extra_search_works_and_says_what_it_lacks(ws, monkeypatch, tmp_path, capsys):
    ws.add_document(text=MEMO, fmt="md", name="memo.md")
    monkeypatch.setattr(semantic, "_importable", lambda module: module != "usearch")
    assert "usearch" in semantic.missing() and "leaktrace[semantic]" in semantic.missing()
    res = ws.search(PARAPHRASE)
    assert res.verdict == "possible_paraphrase"
    assert any("semantic search is off" in n and "usearch" in n for n in res.notes)
    with pytest.raises(InputError, match="usearch"):
        ws.build_semantic_index()
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(ws.path))
    r = run(capsys, "semantic", "status", "--json")
    assert r.json() == {"schema": "leaktrace.semantic-status/1", "available": False, "missing": semantic.missing(), "index_built": False}
    r = run(capsys, "semantic", "build")
    assert r.code == 1 and "pip install" in r.err and len(r.err.strip().splitlines()) == 1
