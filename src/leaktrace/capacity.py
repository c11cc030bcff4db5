"""Capacity: how many sites a document has and how many copies they can separate per leak type.

Separation is measured, not guessed: a probe codeword stands in for a lone leaker, and
the exact scoring and false-accusation bound of tracing are applied to what each kind of
leak would still show (all sites for a copy-paste; no invisible or character-style sites
after sanitizing or retyping; only declared sites after paraphrase).
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from .marks.code import Code
from .marks.score import BAR, ScoreModel
from .marks.sites import Site
from .models import Capacity, Document, LeakProfile

_LEAK_TYPES = (
    ("copy-paste", "all channels", lambda s: True),
    ("sanitized", "typographic spacing, lexical, declared",
     lambda s: s.channel.value in ("lexical", "declared") or s.reader == "folded"),
    ("retyped", "typographic spacing, lexical, declared",
     lambda s: s.channel.value in ("lexical", "declared") or s.reader == "folded"),
    ("paraphrased", "declared", lambda s: s.channel.value == "declared"),
)
PROBES = 5


def _log_tail_for(code: Code, idx: np.ndarray, probe: np.ndarray) -> float:
    reading = np.full(len(code), -1, dtype=np.int64)
    reading[idx] = probe[idx]
    model = ScoreModel.build(code.biases, reading)
    score = float(model.scores(probe[None, :], reading)[0])
    return model.log_tail(score)


def capacity(doc: Document, base: str, sites: list[Site], code: Code) -> Capacity:
    by_channel = Counter(s.channel.value for s in sites)
    by_kind = Counter(f"{s.channel.value}:{s.kind.split(':')[0]}" for s in sites)
    probes = [code.codeword(f"\x00capacity-probe-{k}") for k in range(PROBES)]
    word_pos = _word_positions(base, sites)
    profiles = []
    for name, channels, keep in _LEAK_TYPES:
        idx = np.array([i for i, s in enumerate(sites) if keep(s)], dtype=np.int64)
        if not len(idx):
            profiles.append(LeakProfile(name, channels, 0, 0.0, None))
            continue
        # median over probes of the per-copy tail for a whole-document leak
        tails = sorted(_log_tail_for(code, idx, p) for p in probes)
        lt = tails[len(tails) // 2]
        separable = BAR / math.exp(lt) if lt > -700 else math.inf
        words = _words_for(code, idx, probes, word_pos, 1000)
        profiles.append(LeakProfile(name, channels, int(len(idx)), separable, words))
    return Capacity(doc, doc.words, dict(by_channel), dict(sorted(by_kind.items())), tuple(profiles))


def _word_positions(base: str, sites: list[Site]) -> np.ndarray:
    """Approximate word index of each site (words before its start)."""
    import re

    starts = [m.start() for m in re.finditer(r"\w+", base)]
    return np.searchsorted(np.array(starts), [s.start for s in sites])


def _words_for(code: Code, idx: np.ndarray, probes, word_pos: np.ndarray, n: int) -> int | None:
    """Smallest leading stretch of the document (in words) whose sites identify a probe among n."""
    target = math.log(BAR / n)
    lo, hi = 1, len(idx)

    def ok(k: int) -> bool:
        tails = sorted(_log_tail_for(code, idx[:k], p) for p in probes)
        return tails[len(tails) // 2] <= target

    if not ok(hi):
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid + 1
    return int(word_pos[idx[lo - 1]]) + 1
