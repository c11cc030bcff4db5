"""The semantic check of proposals that claim to keep the meaning: with each alternative in
place, the sentence's embedding and the embedding of the words around the change (WINDOW words
either side) must both stay within THRESHOLD cosine of the original's (all-MiniLM-L6-v2, the
optional semantic extra). Without the extra the check is not run, and says so.

Why both, at 0.95 (measured on the tests' memo): over a whole sentence MiniLM barely moves for one
word of opposite sense in a long sentence ("arrive early" -> "late" 0.968, "quarterly" ->
"annual" 0.973), so the window around the change is checked too (0.949 and 0.934 there), while
fair rephrasings stay at 0.96-0.99 in the window ("currently" -> "at present" 0.959, "make sure"
-> "ensure" 0.983). It errs towards rejecting: "5:00 p.m." -> "17:00" scores 0.926 in its window.
An embedding is no judge of meaning; the author's reading is, and the check only spares them
the worst proposals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from .propose import KEEPS, Proposal

THRESHOLD = 0.95
WINDOW = 5
MODEL = "all-MiniLM-L6-v2"


@dataclass(frozen=True)
class Check:
    """Whether the check ran, at which cosine, with which model; why not, when it did not."""

    ran: bool
    threshold: float = THRESHOLD
    model: str = MODEL
    reason: str | None = None

    def describe(self) -> str:
        if not self.ran:
            return f"Semantic check not run: {self.reason}."
        return (f"Semantic check: every keeps-meaning alternative keeps the {self.model} embedding of its "
                f"sentence, and of the {WINDOW} words either side of it, within cosine {self.threshold:.2f} "
                "of the original's.")

    def to_json(self) -> dict:
        return {"ran": self.ran, "threshold": self.threshold, "model": self.model, "reason": self.reason}


@dataclass(frozen=True)
class Rejected:
    """An alternative the check turned down: the proposal it belonged to, and its cosine."""

    proposal: Proposal
    variant: str
    cosine: float

    def to_json(self) -> dict:
        return {"proposal": self.proposal.id, "kind": self.proposal.kind, "original": self.proposal.variants[0],
                "variant": self.variant, "cosine": round(self.cosine, 4), "sentence": self.proposal.sentence.text}


def available() -> str | None:
    """Why the check cannot run here, or None when it can."""
    from ..search import semantic

    return semantic.missing()


def with_variant(text: str, p: Proposal, variant: str) -> str:
    """The proposal's sentence with `variant` in the proposal's place."""
    s = p.sentence
    if not s.start <= p.start <= p.end <= s.end:
        return variant
    return " ".join((text[s.start:p.start] + variant + text[p.end:s.end]).split())


def window(text: str, p: Proposal, variant: str) -> str:
    """`variant` with at most WINDOW words of the proposal's sentence either side."""
    s = p.sentence
    if not s.start <= p.start <= p.end <= s.end:
        return variant
    before = text[s.start:p.start].split()[-WINDOW:]
    after = text[p.end:s.end].split()[:WINDOW]
    return " ".join([*before, variant, *after])


def cosines(text: str, proposals: Sequence[Proposal], variants: Sequence[Sequence[str]] | None = None) -> list[list[float]]:
    """For each proposal, the cosine of each of its alternatives (variants[1:], or the given
    variants) against the original: the lower of the sentence's and the window's."""
    from ..search import semantic

    variants = variants if variants is not None else [p.variants[1:] for p in proposals]
    texts: list[str] = []
    for p, vs in zip(proposals, variants):
        for put in (with_variant, window):
            texts.append(put(text, p, p.variants[0]))
            texts += [put(text, p, v) for v in vs]
    vecs = semantic.encoder().encode(texts) if texts else np.zeros((0, semantic.DIM), np.float32)
    out, k = [], 0
    for vs in variants:
        n = 1 + len(vs)
        sent, win = vecs[k:k + n], vecs[k + n:k + 2 * n]
        out.append([float(min(sent[0] @ sent[j], win[0] @ win[j])) for j in range(1, n)])
        k += 2 * n
    return out


def run_check(text: str, proposals: Sequence[Proposal], *, run: bool | None = None,
          threshold: float = THRESHOLD) -> tuple[list[Proposal], list[Rejected], Check]:
    """The proposals with keeps-meaning alternatives below the threshold taken out (a proposal
    left with no alternative is dropped), what was taken out, and how the check went.
    run: None runs it where the extra is installed; False never."""
    if run is False:
        return list(proposals), [], Check(False, threshold, reason="turned off (--no-check)")
    problem = available()
    if problem is not None:
        return list(proposals), [], Check(False, threshold, reason=problem)
    keeps = [p for p in proposals if p.label == KEEPS]
    scores = dict(zip((p.id for p in keeps), cosines(text, keeps)))
    kept: list[Proposal] = []
    rejected: list[Rejected] = []
    for p in proposals:
        if p.label != KEEPS:
            kept.append(p)
            continue
        good = [(v, c) for v, c in zip(p.variants[1:], scores[p.id]) if c >= threshold]
        rejected += [Rejected(p, v, c) for v, c in zip(p.variants[1:], scores[p.id]) if c < threshold]
        if good:
            kept.append(replace(p, variants=(p.variants[0], *(v for v, _ in good)),
                                cosines=tuple(round(c, 4) for _, c in good)))
    return kept, rejected, Check(True, threshold)
