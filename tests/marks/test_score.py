"""Scoring calibration: the false-accusation bound of innocent copies is uniform or conservative."""

import math

import numpy as np

from leaktrace.marks.code import Code, make_biases
from leaktrace.marks.score import ScoreModel, false_accusation_bound

KEY = b"k" * 32


def innocent_log_tails(n_sites: int, qs_choice, trials: int = 3000, seed: int = 0):
    rng = np.random.default_rng(seed)
    qs = rng.choice(qs_choice, size=n_sites)
    code = Code(KEY, f"cal-{n_sites}", make_biases(KEY, f"cal-{n_sites}", qs), qs)
    reading = np.array([rng.integers(0, q) for q in qs])  # a leak that does not depend on any copy
    model = ScoreModel.build(code.biases, reading)
    x = code.codewords([f"innocent-{i}" for i in range(trials)])
    scores = model.scores(x, reading)
    return np.array([model.log_tail(s) for s in scores])


def test_innocent_tail_bounds_are_conservative():
    for n_sites, qs in [(12, [2]), (40, [2, 3]), (30, [16]), (80, [2, 16])]:
        tails = np.exp(innocent_log_tails(n_sites, qs))
        for alpha in (0.01, 0.05, 0.1, 0.25, 0.5):
            # P(bound <= alpha) <= alpha, with slack for sampling error (3000 trials)
            assert (tails <= alpha).mean() <= alpha + 3 * math.sqrt(alpha * (1 - alpha) / len(tails)), (n_sites, alpha)


def test_bound_accounts_for_the_number_of_copies():
    lt = math.log(1e-9)
    assert false_accusation_bound(lt, 1) == __import__("pytest").approx(1e-9, rel=1e-6)
    assert false_accusation_bound(lt, 1000) == __import__("pytest").approx(1e-6, rel=1e-3)
    assert false_accusation_bound(0.0, 10) == 1.0
    assert false_accusation_bound(-math.inf, 10) == 0.0


def test_the_leaking_copy_scores_far_above_innocents():
    qs = [16] * 30
    code = Code(KEY, "d", make_biases(KEY, "d", qs), qs)
    leaker = code.codeword("leaker")
    model = ScoreModel.build(code.biases, leaker.astype(np.int64))
    s = model.scores(code.codewords(["leaker", "other"]), leaker.astype(np.int64))
    assert s[0] > s[1]
    assert false_accusation_bound(model.log_tail(s[0]), 10_000) < 1e-6


def test_no_sites_read_means_no_evidence():
    model = ScoreModel.build(np.full((3, 2), 0.5), np.array([-1, -1, -1]))
    assert len(model) == 0 and model.log_tail(0.0) == 0.0
