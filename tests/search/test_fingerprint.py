"""Winnowed fingerprints and the fingerprint index: the values stay those of the MOSS
definition, and a batch of documents is indexed exactly as documents added one at a time."""

from __future__ import annotations

import pytest

import hashlib

from reuse_samples import BRIEFING, PARAPHRASE, SAME_TOPIC
from samples import MEMO
from sqlalchemy import text

from leaktrace import Workspace
from leaktrace import documents as documents_module
from leaktrace.search.fingerprint import fingerprints, word_skeletons
from leaktrace.text.tokens import tokenize


def _moss(words: list[str]) -> set[int]:
    """The definition, one n-gram and one window at a time."""
    hashes = [int.from_bytes(hashlib.blake2b(" ".join(words[i:i + 3]).encode("utf-8"), digest_size=8).digest(),
                             "big", signed=True) for i in range(len(words) - 2)]
    if len(hashes) <= 4:
        return set(hashes)
    return {min(hashes[i:i + 4]) for i in range(len(hashes) - 3)}


def test_fingerprints_are_the_least_hash_of_every_window():
    for n in range(12):   # no n-gram, fewer n-grams than a window, several windows
        words = [f"w{i}" for i in range(n)]
        assert fingerprints(words) == _moss(words)
    words = word_skeletons(tokenize(MEMO).skel)
    got = fingerprints(words)
    assert got == _moss(words) and all(type(h) is int for h in got)


@pytest.mark.sqlite_file
def test_a_batch_is_indexed_as_documents_added_one_at_a_time(tmp_path, monkeypatch):
    texts = [MEMO, BRIEFING, PARAPHRASE + "\n\n" + SAME_TOPIC]
    key = bytes(32)
    one = Workspace.create(tmp_path / "one", key=key)
    for t in texts:
        one.add_document(text=t, fmt="md")
    monkeypatch.setattr(documents_module, "_INDEX_BATCH", 2)   # index rows also written mid-transaction
    many = Workspace.create(tmp_path / "many", key=key)
    many.add_documents([{"text": t, "format": "md"} for t in texts])

    def content(ws: Workspace) -> list:
        with ws.engine.connect() as conn:
            return [conn.execute(text(q)).all() for q in (
                "SELECT hash, doc FROM fingerprints ORDER BY hash, doc",
                "SELECT rowid, body, doc, start, end FROM passages ORDER BY rowid",
                "SELECT * FROM sections ORDER BY doc, idx",
                "SELECT id, series, version, words FROM documents ORDER BY id")]

    got = content(many)
    assert got == content(one) and all(got)
    one.close()
    many.close()
