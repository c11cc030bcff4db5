"""Winnowed word-trigram fingerprints (as in MOSS): any shared run of
WINDOW + NGRAM - 1 = 6 skeleton words yields at least one shared fingerprint."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

NGRAM = 3
WINDOW = 4


def word_skeletons(skel: Sequence[str]) -> list[str]:
    return [s for s in skel if s[0].isalnum()]


def fingerprints(words: Sequence[str]) -> set[int]:
    # An n-gram's hash is its 8-byte BLAKE2b digest read as a signed big-endian integer; the
    # fingerprints are the least hash of every WINDOW consecutive n-grams (all of them when
    # there are no more than WINDOW). A document has hundreds of n-grams, so the digests are
    # read as one array and the windows are taken in numpy.
    grams = map(" ".join, zip(*(words[k:] for k in range(NGRAM))))
    blake2b = hashlib.blake2b
    hashes = np.frombuffer(b"".join([blake2b(g.encode("utf-8"), digest_size=8).digest() for g in grams]),
                           dtype=">i8")
    n = len(hashes) - WINDOW + 1
    if n <= 1:
        return set(hashes.tolist())
    least = hashes[:n]
    for k in range(1, WINDOW):
        least = np.minimum(least, hashes[k:k + n])
    return set(least.tolist())
