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

        def cgf(lam: float) -> tuple[float, float, float]:
            w = 1.0 / (1.0 + np.exp((lq + lam * b) - (lp + lam * a)))
            return (float(np.logaddexp(lp + lam * a, lq + lam * b).sum()),
                    float((w * a + (1 - w) * b).sum()), float((w * (1 - w) * (a - b) ** 2).sum()))

        return min_exponent(cgf, s)


@dataclass(frozen=True)
class JointModel:
    """The score of a copy over several leaks read against one document: at each site read in
    any of them, the sum of its per-leak scores. For an innocent copy the sites are independent
    and each site's variant is one draw, counted in every leak that read that site, so its score
    is a sum of independent discrete variables (one per site, with up to q values): the
    Chernoff bound is exact for that sum."""

    sites: np.ndarray       # indices of the sites read in at least one leak
    prob: np.ndarray        # (sites, q): probability that an innocent copy holds each variant
    value: np.ndarray       # (sites, q): the copy's joint score at the site if it holds that variant

    @classmethod
    def build(cls, biases: np.ndarray, readings: "list[np.ndarray]") -> "JointModel":
        stacked = np.vstack([np.asarray(r, dtype=np.int64) for r in readings])
        idx = np.flatnonzero((stacked >= 0).any(axis=0))
        prob = biases[idx]
        value = np.zeros_like(prob)
        for reading in stacked[:, idx]:
            ok = reading >= 0
            p = np.clip(prob[np.arange(len(idx)), np.where(ok, reading, 0)], 1e-12, 1 - 1e-12)
            gain, loss = np.sqrt((1 - p) / p), -np.sqrt(p / (1 - p))
            holds = np.arange(prob.shape[1])[None, :] == reading[:, None]
            value += np.where(ok[:, None], np.where(holds, gain[:, None], loss[:, None]), 0.0)
        return cls(idx, prob, value)

    def __len__(self) -> int:
        return len(self.sites)

    def scores(self, codewords: np.ndarray) -> np.ndarray:
        if not len(self.sites):
            return np.zeros(len(codewords))
        held = codewords[:, self.sites].astype(np.int64)
        return self.value[np.arange(len(self.sites))[None, :], held].sum(axis=1)

    def log_tail(self, s: float) -> float:
        """Natural log of a Chernoff upper bound on P(innocent joint score >= s)."""
        if not len(self.sites) or s <= 0:
            return 0.0 if s <= 0 else -math.inf
        live = self.prob > 0
        logp = np.where(live, np.log(np.where(live, self.prob, 1.0)), -np.inf)
        top = np.where(live, self.value, -np.inf).max(axis=1)
        if s >= top.sum() - 1e-9 * max(1.0, abs(s)):
            # only copies holding the best variant at every site score this high
            best = np.where(live & (self.value >= top[:, None] - 1e-12), self.prob, 0.0).sum(axis=1)
            return float(np.log(best).sum())
        v = np.where(live, self.value, 0.0)

        def cgf(lam: float) -> tuple[float, float, float]:
            t = logp + lam * v
            m = t.max(axis=1, keepdims=True)
            w = np.exp(t - m)
            z = w.sum(axis=1, keepdims=True)
            w /= z
            mean = (w * v).sum(axis=1)
            return (float((m[:, 0] + np.log(z[:, 0])).sum()), float(mean.sum()),
                    float((w * v * v).sum(axis=1).sum() - (mean * mean).sum()))

        return min_exponent(cgf, s)


def min_exponent(cgf, s: float) -> float:
    """min over lam >= 0 of K(lam) - lam * s, where cgf(lam) = (K, K', K'') is the cumulant
    generating function of an innocent copy's score (convex, K(0) = 0, K'(0) = mean = 0 < s).
    The minimum is where K' = s, found by Newton steps kept inside a bracket; any lam >= 0 gives
    a valid bound, the minimum the tightest."""
    lo, hi = 0.0, 1.0
    while cgf(hi)[1] - s < 0 and hi < 1e4:
        lo, hi = hi, hi * 2
    lam = (lo + hi) / 2
    for _ in range(100):
        _, slope, curve = cgf(lam)
        g = slope - s
        if g < 0:
            lo = lam
        else:
            hi = lam
        step = lam - g / curve if curve > 0 else (lo + hi) / 2
        nxt = step if lo < step < hi else (lo + hi) / 2
        if abs(nxt - lam) <= 1e-13 * max(1.0, lam):
            lam = nxt
            break
        lam = nxt
    return min(0.0, cgf(lam)[0] - lam * s)


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
