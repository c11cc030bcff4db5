"""Text-alignment measures of the PAN plagiarism-detection tasks, at character level.

Potthast, Stein, Barrón-Cedeño and Rosso (2010), "An Evaluation Framework for Plagiarism
Detection" (COLING 2010), as used by PAN 2013 text alignment (Potthast et al., "Overview of
the 5th International Competition on Plagiarism Detection", CLEF 2013):

* A *case* s is a reused passage: a span of the suspicious text (here: the leak) and the
  span of the source document it came from. A *detection* r is what a system reports, in the
  same form. Both are treated as sets of character references in both documents, so
  ``|s| = |leak span| + |source span|``.
* r *detects* s when they concern the same leak and the same source document and overlap on
  the leak side **and** on the source side; then ``s ⊓ r = s ∩ r`` (characters in common on
  both sides), else ``∅``.
* macro precision = mean over detections of ``|∪_s (s ⊓ r)| / |r|``;
  macro recall    = mean over cases of      ``|∪_r (s ⊓ r)| / |s|``;
  granularity     = mean over detected cases of the number of detections that detect it (≥ 1);
  plagdet         = F1(precision, recall) / log2(1 + granularity).
* Conventions of PAN's evaluation script: no cases and no detections → precision = recall = 1;
  one of them empty → 0; granularity is 1 when no case is detected; plagdet is 0 when F1 is 0.

Document-level measures, for source search: ``top1_hit`` (leaktrace claims derivation from the
right source first; for a leak with several sources, every true source is among the sources
returned) and ``false_source`` (a negative for which leaktrace claims derivation).

Standard library only; the tests are tests/bench/test_pan_metrics.py.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["Span", "PanScores", "detects", "precision_recall", "granularity", "plagdet", "pan_measures",
           "side_recall", "union_length", "top1_hit", "false_source"]


@dataclass(frozen=True)
class Span:
    """A case (ground truth) or a detection: leak[leak_start:leak_end] <-> source[src_start:src_end]."""

    leak: str
    leak_start: int
    leak_end: int
    source: str
    src_start: int
    src_end: int

    def __post_init__(self):
        if self.leak_end < self.leak_start or self.src_end < self.src_start:
            raise ValueError(f"empty-negative span {self}")

    @property
    def size(self) -> int:
        return (self.leak_end - self.leak_start) + (self.src_end - self.src_start)


@dataclass(frozen=True)
class PanScores:
    precision: float
    recall: float
    granularity: float
    plagdet: float
    cases: int
    detections: int
    detected_cases: int    # cases detected by at least one detection

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r > 0 else 0.0


def _overlap(a0: int, a1: int, b0: int, b1: int) -> tuple[int, int] | None:
    lo, hi = max(a0, b0), min(a1, b1)
    return (lo, hi) if hi > lo else None


def union_length(intervals: Iterable[tuple[int, int]]) -> int:
    """Characters covered by a set of half-open intervals."""
    total, end = 0, None
    for a, b in sorted(intervals):
        if b <= a:
            continue
        if end is None or a >= end:
            total += b - a
            end = b
        elif b > end:
            total += b - end
            end = b
    return total


def detects(r: Span, s: Span) -> bool:
    """r detects s: same leak, same source, overlapping on both sides."""
    return (r.leak == s.leak and r.source == s.source
            and _overlap(r.leak_start, r.leak_end, s.leak_start, s.leak_end) is not None
            and _overlap(r.src_start, r.src_end, s.src_start, s.src_end) is not None)


def _covered(x: Span, others: Iterable[Span]) -> int:
    """|∪_o (x ⊓ o)|: characters of x (both sides) inside the spans of the others that detect it
    (or that it detects - the relation is symmetric)."""
    leak_parts, src_parts = [], []
    for o in others:
        if not detects(o, x):
            continue
        leak_parts.append(_overlap(x.leak_start, x.leak_end, o.leak_start, o.leak_end))
        src_parts.append(_overlap(x.src_start, x.src_end, o.src_start, o.src_end))
    return union_length(leak_parts) + union_length(src_parts)


def _by_leak(spans: Iterable[Span]) -> dict[str, list[Span]]:
    out: dict[str, list[Span]] = defaultdict(list)
    for s in spans:
        out[s.leak].append(s)
    return out


def precision_recall(cases: Sequence[Span], detections: Sequence[Span]) -> tuple[float, float]:
    """Macro-averaged character precision and recall (PAN conventions for empty sets)."""
    if not cases and not detections:
        return 1.0, 1.0
    if not cases or not detections:
        return 0.0, 0.0
    cases_by, dets_by = _by_leak(cases), _by_leak(detections)
    prec = sum(_covered(r, cases_by.get(r.leak, ())) / r.size if r.size else 0.0 for r in detections)
    rec = sum(_covered(s, dets_by.get(s.leak, ())) / s.size if s.size else 0.0 for s in cases)
    return prec / len(detections), rec / len(cases)


def granularity(cases: Sequence[Span], detections: Sequence[Span]) -> tuple[float, int]:
    """(granularity, number of detected cases): detections per detected case, on average."""
    dets_by = _by_leak(detections)
    counts = [sum(1 for r in dets_by.get(s.leak, ()) if detects(r, s)) for s in cases]
    detected = [c for c in counts if c > 0]
    if not detected:
        return 1.0, 0
    return sum(detected) / len(detected), len(detected)


def plagdet(precision: float, recall: float, gran: float) -> float:
    """F1 of precision and recall, divided by log2(1 + granularity)."""
    if precision + recall <= 0:
        return 0.0
    f1 = 2 * precision * recall / (precision + recall)
    return f1 / math.log2(1 + gran)


def side_recall(cases: Sequence[Span], detections: Sequence[Span]) -> tuple[float, float]:
    """Macro recall on the leak side alone and on the source side alone (a diagnostic, not a
    PAN measure): how much of the leaked text, and of the source passage, the detections cover."""
    if not cases:
        return 0.0, 0.0
    dets_by = _by_leak(detections)
    leak_sum = src_sum = 0.0
    for s in cases:
        hits = [r for r in dets_by.get(s.leak, ()) if detects(r, s)]
        ln, sn = s.leak_end - s.leak_start, s.src_end - s.src_start
        if ln:
            leak_sum += union_length(_overlap(s.leak_start, s.leak_end, r.leak_start, r.leak_end) for r in hits) / ln
        if sn:
            src_sum += union_length(_overlap(s.src_start, s.src_end, r.src_start, r.src_end) for r in hits) / sn
    return leak_sum / len(cases), src_sum / len(cases)


def pan_measures(cases: Sequence[Span], detections: Sequence[Span]) -> PanScores:
    p, r = precision_recall(cases, detections)
    g, n_det = granularity(cases, detections)
    return PanScores(p, r, g, plagdet(p, r, g), len(cases), len(detections), n_det)


# ------------------------------------------------------------------------------ document level

def top1_hit(truth: Sequence[str], verdict: str, ranked: Sequence[str], *, require_derived: bool = True) -> bool:
    """One true source: it is ranked first. Several: every one of them is among the sources.
    With require_derived (the default) the verdict must also be "derived"."""
    if require_derived and verdict != "derived":
        return False
    if not truth or not ranked:
        return False
    if len(truth) == 1:
        return ranked[0] == truth[0]
    return all(t in ranked for t in truth)


def false_source(verdict: str) -> bool:
    """A negative (no registered document was reused) for which a derived leak is claimed."""
    return verdict == "derived"
