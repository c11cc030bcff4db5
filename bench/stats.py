"""Confidence bounds for the rates the benchmark reports (standard library only).

* ``clopper_pearson(k, n)`` - exact two-sided 95% interval for a binomial rate.
  For ``k == 0`` the upper end is ``1 - 0.025 ** (1 / n)`` (about 3.7 / n):
  "no false accusation in n trials" means the true rate is below that, with
  95% confidence.
* ``wilson(k, n)`` - the Wilson score interval (shown for comparison).
"""

from __future__ import annotations

import math

__all__ = ["binom_cdf", "clopper_pearson", "wilson", "fmt_pct", "fmt_upper"]

Z95 = 1.959963984540054


def binom_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p), summed in log space."""
    if k < 0:
        return 0.0
    if k >= n or p <= 0.0:
        return 1.0
    if p >= 1.0:
        return 0.0
    lp, lq = math.log(p), math.log1p(-p)
    terms = [math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * lp + (n - i) * lq
             for i in range(k + 1)]
    m = max(terms)
    return min(1.0, math.exp(m) * sum(math.exp(t - m) for t in terms))


def _bisect(f, lo: float, hi: float, iters: int = 100) -> float:
    """Root of an increasing function f on [lo, hi]."""
    for _ in range(iters):
        mid = (lo + hi) / 2
        if f(mid) < 0:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def clopper_pearson(k: int, n: int, conf: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper-Pearson) two-sided interval for k successes in n trials."""
    if n <= 0:
        return 0.0, 1.0
    a = (1 - conf) / 2
    if k == 0:
        lo = 0.0
    else:
        # smallest p with P(X >= k) >= a, i.e. 1 - cdf(k-1) - a >= 0
        lo = _bisect(lambda p: (1 - binom_cdf(k - 1, n, p)) - a, 0.0, 1.0)
    if k == n:
        hi = 1.0
    elif k == 0:
        hi = 1 - a ** (1 / n)
    else:
        # largest p with P(X <= k) >= a, i.e. a - cdf(k) <= 0
        hi = _bisect(lambda p: a - binom_cdf(k, n, p), 0.0, 1.0)
    return lo, hi


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials."""
    if n <= 0:
        return 0.0, 1.0
    ph = k / n
    den = 1 + z * z / n
    c = (ph + z * z / (2 * n)) / den
    h = z * math.sqrt(ph * (1 - ph) / n + z * z / (4 * n * n)) / den
    return max(0.0, c - h), min(1.0, c + h)


def fmt_pct(k: int, n: int) -> str:
    """'97.3%' style rate, or '-' when there were no trials."""
    if n <= 0:
        return "-"
    r = 100.0 * k / n
    if r in (0.0, 100.0):
        return f"{r:.0f}%"
    return f"{r:.1f}%"


def fmt_upper(k: int, n: int) -> str:
    """A false-accusation count with its 95% Clopper-Pearson upper bound: '0 (<1.2%)'."""
    if n <= 0:
        return "-"
    hi = clopper_pearson(k, n)[1]
    return f"{k} (≤{100 * hi:.2g}%)"
