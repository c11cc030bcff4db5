"""Scoring copies against a reading, and the false-accusation bound.

Score (symmetric q-ary Tardos): at a read site with observed variant y of bias p_y, a
copy holding y gains sqrt((1-p_y)/p_y), any other copy loses sqrt(p_y/(1-p_y)).
For an innocent copy the reading does not depend on its codeword, so its score is a
sum of independent two-point variables with mean 0; its tail P(S >= s) is bounded
by the Chernoff bound, exactly computed from those variables (never an asymptotic
approximation), and the false-accusation bound is the probability that the best of
all n innocent copies reaches s: 1 - (1 - P)^n. Both are conservative.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

BAR = 1e-6  # false-accusation bound at or below which a copy is identified


@dataclass(frozen=True)
class ScoreModel:
    """Per read site: probability an innocent copy matches, and the two score values."""

    sites: np.ndarray  # indices of read sites
    match_prob: np.ndarray
    gain: np.ndarray  # score if the copy matches (> 0)
    loss: np.ndarray  # score if it does not (< 0)

    @classmethod
    def build(cls, biases: np.ndarray, reading: np.ndarray) -> "ScoreModel":
        idx = np.flatnonzero(reading >= 0)
        p = biases[idx, reading[idx]]
        p = np.clip(p, 1e-12, 1 - 1e-12)
        return cls(idx, p, np.sqrt((1 - p) / p), -np.sqrt(p / (1 - p)))

    def __len__(self) -> int:
        return len(self.sites)

    def scores(self, codewords: np.ndarray, reading: np.ndarray) -> np.ndarray:
        if not len(self.sites):
            return np.zeros(len(codewords))
        match = codewords[:, self.sites] == reading[self.sites][None, :]
        return np.where(match, self.gain[None, :], self.loss[None, :]).sum(axis=1)

    def log_tail(self, s: float) -> float:
        """Natural log of a Chernoff upper bound on P(innocent score >= s)."""
        if not len(self.sites):
            return 0.0 if s <= 0 else -math.inf
        p, a, b = self.match_prob, self.gain, self.loss
        if s <= 0:
            return 0.0
        lp, lq = np.log(p), np.log1p(-p)
        if s >= a.sum() - 1e-9 * max(1.0, abs(s)):
            # only a copy matching every read site scores this high
            return float(lp.sum())

        # f(lam) = log E[exp(lam * S)] - lam * s is convex with f(0) = 0 and f'(0) = -s < 0: its
        # minimum is where f' = 0, found by Newton steps kept inside a bracket (any lam >= 0 gives
        # a valid bound; the minimum gives the tightest)
        d = a - b
        lo, hi = 0.0, 1.0
        while _slope(lp, lq, a, b, hi, s)[0] < 0 and hi < 1e4:
            lo, hi = hi, hi * 2
        lam = (lo + hi) / 2
        for _ in range(100):
            g, w = _slope(lp, lq, a, b, lam, s)
            if g < 0:
                lo = lam
            else:
                hi = lam
            h = float((w * (1 - w) * d * d).sum())
            step = lam - g / h if h > 0 else (lo + hi) / 2
            nxt = step if lo < step < hi else (lo + hi) / 2
            if abs(nxt - lam) <= 1e-13 * max(1.0, lam):
                lam = nxt
                break
            lam = nxt
        return min(0.0, float(np.logaddexp(lp + lam * a, lq + lam * b).sum() - lam * s))


def _slope(lp: np.ndarray, lq: np.ndarray, a: np.ndarray, b: np.ndarray, lam: float,
           s: float) -> tuple[float, np.ndarray]:
    """f'(lam) of the Chernoff exponent, and each site's tilted match probability w."""
    w = 1.0 / (1.0 + np.exp((lq + lam * b) - (lp + lam * a)))
    return float((w * a + (1 - w) * b).sum() - s), w


def false_accusation_bound(log_tail: float, n_copies: int) -> float:
    """P(the best of n innocent copies scores at least as high), from one copy's log tail."""
    if log_tail == -math.inf:
        return 0.0
    p = math.exp(log_tail)
    if p >= 1.0:
        return 1.0
    return -math.expm1(n_copies * math.log1p(-p))


def leaker_gain(biases: np.ndarray) -> np.ndarray:
    """Expected score per site of a copy that leaked alone: sum_y sqrt(p_y (1 - p_y))."""
    return np.sqrt(biases * (1 - biases)).sum(axis=1)


def sites_needed(mean_gain: float, n_copies: int, bar: float = BAR) -> int:
    """Read sites at which a lone leaker's expected score clears the bar (Chernoff, Gaussian tail)."""
    if mean_gain <= 0:
        return 0
    z2 = 2 * math.log(max(n_copies, 1) / bar)
    return int(math.ceil(z2 / mean_gain**2))


def score_at_bar(model: ScoreModel, n_copies: int, bar: float = BAR) -> float | None:
    """The lowest score whose false-accusation bound is at most `bar`, or None if none is."""
    if not len(model):
        return None
    hi = float(model.gain.sum())
    if false_accusation_bound(model.log_tail(hi), n_copies) > bar:
        return None
    lo = 0.0
    for _ in range(40):
        mid = (lo + hi) / 2
        if false_accusation_bound(model.log_tail(mid), n_copies) <= bar:
            hi = mid
        else:
            lo = mid
    return hi
