"""Alignment of a leak to a document at token level, tolerant to edits and reordering.

The leak is cut into sentence blocks; each block is placed in the document by voting
with shared word trigrams, then aligned to that region by longest common subsequence
(rapidfuzz). Only runs of at least two matching tokens are kept, so isolated common
words never anchor a mark reading, and where two blocks claim the same document tokens
the longer run has them. The result maps document tokens to leak tokens.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import Indel

from .tokens import Tokens

NGRAM = 3
MAX_BLOCK = 60
MIN_RUN = 2
_SENTENCE_END = {".", "!", "?", "..."}


@dataclass(frozen=True)
class Passage:
    """A stretch of the leak aligned to a stretch of the document (character offsets)."""

    leak_start: int
    leak_end: int
    doc_start: int
    doc_end: int
    tokens: int
    words: int  # aligned word tokens (punctuation not counted)
    longest_run: int  # most words aligned in a row with no gap on either side


@dataclass(frozen=True)
class Alignment:
    doc_to_leak: np.ndarray  # per document token: aligned leak token index, or -1
    matched: int  # number of aligned tokens
    passages: tuple[Passage, ...]


class DocIndex:
    """Trigram positions of a document's skeleton tokens (built once per trace)."""

    def __init__(self, doc: Tokens):
        self.doc = doc
        self.grams: dict[tuple[str, ...], list[int]] = defaultdict(list)
        skel = doc.skel
        for i in range(len(skel) - NGRAM + 1):
            self.grams[skel[i:i + NGRAM]].append(i)


def _blocks(leak: Tokens) -> list[tuple[int, int]]:
    blocks = []
    start = 0
    n = len(leak)
    for i, s in enumerate(leak.skel):
        # a full stop directly followed by a letter (datetime.time, example.org) ends nothing
        ends = s in _SENTENCE_END and (i + 1 == n or leak.starts[i + 1] > leak.ends[i])
        if (ends and i + 1 - start >= 6) or i + 1 - start >= MAX_BLOCK:
            blocks.append((start, i + 1))
            start = i + 1
    if start < len(leak):
        blocks.append((start, len(leak)))
    return blocks


def align(index: DocIndex, leak: Tokens) -> Alignment:
    doc = index.doc
    nd = len(doc)
    d2l = np.full(nd, -1, dtype=np.int64)
    lskel = leak.skel
    runs: list[tuple[int, int, int]] = []      # (length, first document token, first leak token)
    for bs, be in _blocks(leak):
        votes: Counter[int] = Counter()
        for k in range(bs, be - NGRAM + 1):
            positions = index.grams.get(lskel[k:k + NGRAM])
            if positions and len(positions) <= 50:
                for p in positions:
                    votes[p - k] += 1
        if not votes:
            continue
        diag, count = votes.most_common(1)[0]
        slack = (be - bs) // 2 + 8
        lo = max(0, diag + bs - slack)
        hi = min(nd, diag + be + slack)
        if hi <= lo:
            continue
        ops = Indel.opcodes(list(lskel[bs:be]), list(doc.skel[lo:hi]))
        for op in ops:
            n = op.src_end - op.src_start
            if op.tag != "equal" or n < MIN_RUN:
                continue
            d0, l0 = lo + op.dest_start, bs + op.src_start
            # LCS ties: when the document says a phrase twice ("the start line and the end line
            # ... the end line and the checksum line"), the run goes where the block's trigrams
            # place it, if it matches there too
            on = l0 + diag
            if on != d0 and 0 <= on and on + n <= nd and doc.skel[on:on + n] == lskel[l0:l0 + n]:
                d0 = on
            runs.append((n, d0, l0))
    # the longest runs claim their document tokens first: a sentence of filler that happens to
    # share "a list of" with the document must not take those tokens from the copied passage
    # that holds them, whichever block comes first
    for n, d0, l0 in sorted(runs, key=lambda r: -r[0]):
        for k in range(n):
            if d2l[d0 + k] < 0:
                d2l[d0 + k] = l0 + k
    _extend(doc, leak, d2l)
    return Alignment(d2l, int((d2l >= 0).sum()), tuple(_passages(doc, leak, d2l)))


def _extend(doc: Tokens, leak: Tokens, d2l: np.ndarray) -> None:
    """Grow every aligned stretch over neighbours that match exactly on both sides
    (block edges and LCS ties can leave a sentence's last full stop unaligned)."""
    used = np.zeros(len(leak), dtype=bool)
    used[d2l[d2l >= 0]] = True
    nd, nl = len(doc), len(leak)
    for di in np.flatnonzero(d2l >= 0).tolist():
        for step in (1, -1):
            d, li = di + step, int(d2l[di]) + step
            while (0 <= d < nd and 0 <= li < nl and d2l[d] < 0 and not used[li]
                   and doc.skel[d] == leak.skel[li]):
                d2l[d] = li
                used[li] = True
                d += step
                li += step


def _passages(doc: Tokens, leak: Tokens, d2l: np.ndarray, max_gap: int = 4) -> list[Passage]:
    """Group aligned tokens into passages: runs that stay in order with small gaps."""
    out: list[Passage] = []
    idx = np.flatnonzero(d2l >= 0)
    if not len(idx):
        return out
    run = [int(idx[0])]
    for di in idx[1:].tolist():
        prev = run[-1]
        if di - prev <= max_gap and 0 < d2l[di] - d2l[prev] <= max_gap:
            run.append(di)
        else:
            out.append(_passage(doc, leak, d2l, run))
            run = [di]
    out.append(_passage(doc, leak, d2l, run))
    return [p for p in out if p.tokens >= 4]


def _passage(doc: Tokens, leak: Tokens, d2l: np.ndarray, run: list[int]) -> Passage:
    # a passage starts at a word; trailing punctuation is kept only if it closes a word run
    while len(run) > 1 and not doc.is_word(run[0]):
        run = run[1:]
    first, last = run[0], run[-1]
    words = sum(1 for i in run if doc.is_word(i))
    longest = current = 0
    for k, i in enumerate(run):
        contiguous = k > 0 and i == run[k - 1] + 1 and d2l[i] == d2l[run[k - 1]] + 1
        current = (current if contiguous else 0) + (1 if doc.is_word(i) else 0)
        longest = max(longest, current)
    return Passage(leak.starts[d2l[first]], leak.ends[d2l[last]], doc.starts[first], doc.ends[last],
                   len(run), words, longest)
