"""Winnowed word-trigram fingerprints (as in MOSS): any shared run of
WINDOW + NGRAM - 1 = 6 skeleton words yields at least one shared fingerprint."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

NGRAM = 3
WINDOW = 4


def _hash(gram: str) -> int:
    return int.from_bytes(hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def word_skeletons(skel: Sequence[str]) -> list[str]:
    return [s for s in skel if s[0].isalnum()]


def fingerprints(words: Sequence[str]) -> set[int]:
    hashes = [_hash(" ".join(words[i:i + NGRAM])) for i in range(len(words) - NGRAM + 1)]
    if len(hashes) <= WINDOW:
        return set(hashes)
    out: set[int] = set()
    for i in range(len(hashes) - WINDOW + 1):
        out.add(min(hashes[i:i + WINDOW]))
    return out
