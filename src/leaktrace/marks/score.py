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

        def f(lam: float) -> float:
            return float(np.logaddexp(lp + lam * a, lq + lam * b).sum() - lam * s)

        # f is convex in lambda with f(0) = 0; bracket the minimum, then golden-section search.
        lo, hi = 0.0, 1.0
        while f(hi) < f(hi / 2) and hi < 1e4:
            hi *= 2
        g = (math.sqrt(5) - 1) / 2
        x1, x2 = hi - g * (hi - lo), lo + g * (hi - lo)
        f1, f2 = f(x1), f(x2)
        for _ in range(80):
            if f1 < f2:
                hi, x2, f2 = x2, x1, f1
                x1 = hi - g * (hi - lo)
                f1 = f(x1)
            else:
                lo, x1, f1 = x1, x2, f2
                x2 = lo + g * (hi - lo)
                f2 = f(x2)
        return min(0.0, f1, f2)


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
