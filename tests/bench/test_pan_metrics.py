"""The PAN text-alignment measures of bench/pan_metrics.py on hand-made cases."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from pan_metrics import (Span, detects, false_source, granularity, pan_measures, plagdet,  # noqa: E402
                         precision_recall, side_recall, top1_hit, union_length)


def case(leak="L1", a=0, b=100, src="D1", c=0, d=100) -> Span:
    return Span(leak, a, b, src, c, d)


def test_perfect_detection_scores_one():
    s = [case(), case("L2", 10, 60, "D2", 200, 250)]
    m = pan_measures(s, list(s))
    assert (m.precision, m.recall, m.granularity, m.plagdet) == (1.0, 1.0, 1.0, 1.0)
    assert m.detected_cases == 2


def test_half_overlap():
    # the detection covers the first half of the case on both sides: all of it is right,
    # half of the case is found
    m = pan_measures([case()], [case(b=50, d=50)])
    assert m.precision == pytest.approx(1.0)
    assert m.recall == pytest.approx(0.5)
    assert m.granularity == 1.0
    assert m.plagdet == pytest.approx(2 * 0.5 / 1.5)


def test_detection_twice_the_case():
    # a detection twice as long as the case on both sides: precision 1/2, recall 1
    m = pan_measures([case(b=50, d=50)], [case()])
    assert m.precision == pytest.approx(0.5)
    assert m.recall == pytest.approx(1.0)


def test_split_detection_has_granularity_two():
    dets = [case(b=50, d=50), case(a=50, c=50)]
    m = pan_measures([case()], dets)
    assert m.precision == pytest.approx(1.0)
    assert m.recall == pytest.approx(1.0)
    assert m.granularity == pytest.approx(2.0)
    assert m.plagdet == pytest.approx(1 / math.log2(3))


def test_no_detections_scores_zero():
    m = pan_measures([case()], [])
    assert (m.precision, m.recall, m.plagdet) == (0.0, 0.0, 0.0)
    assert m.granularity == 1.0 and m.detected_cases == 0


def test_detection_without_cases_scores_zero_and_nothing_is_one():
    assert precision_recall([], [case()]) == (0.0, 0.0)
    assert precision_recall([], []) == (1.0, 1.0)


def test_wrong_source_or_one_sided_overlap_detects_nothing():
    s = case()
    assert not detects(case(src="D9"), s)            # right leak span, wrong document
    assert not detects(case(c=500, d=600), s)        # right leak span, elsewhere in the source
    assert not detects(case(leak="L2"), s)           # another leak
    m = pan_measures([s], [case(src="D9")])
    assert m.precision == 0.0 and m.recall == 0.0 and m.plagdet == 0.0


def test_sides_are_counted_separately():
    # leak side fully right, source side half right: |s ⊓ r| = 100 + 50 of |s| = 200, |r| = 200
    m = pan_measures([case()], [case(c=50, d=150)])
    assert m.recall == pytest.approx(150 / 200)
    assert m.precision == pytest.approx(150 / 200)


def test_macro_average_over_cases_and_detections():
    cases = [case(), case("L2")]
    dets = [case()]                          # L2 missed
    m = pan_measures(cases, dets)
    assert m.recall == pytest.approx(0.5)
    assert m.precision == pytest.approx(1.0)
    # a false detection in a negative leak halves precision
    m = pan_measures(cases, dets + [case("NEG")])
    assert m.precision == pytest.approx(0.5)


def test_overlapping_detections_are_not_counted_twice():
    dets = [case(b=60, d=60), case(a=40, c=40)]
    p, r = precision_recall([case()], dets)
    assert r == pytest.approx(1.0)
    assert p == pytest.approx(1.0)
    assert granularity([case()], dets) == (2.0, 1)


def test_one_detection_over_two_cases():
    cases = [case(b=50, d=50), case(a=50, c=50)]
    m = pan_measures(cases, [case()])
    assert m.precision == pytest.approx(1.0)
    assert m.recall == pytest.approx(1.0)
    assert m.granularity == 1.0


def test_plagdet_formula_and_union():
    assert plagdet(0.0, 0.0, 1.0) == 0.0
    assert plagdet(1.0, 0.5, 1.0) == pytest.approx(2 / 3)
    assert plagdet(1.0, 1.0, 3.0) == pytest.approx(0.5)
    assert union_length([(0, 10), (5, 15), (20, 25), (3, 3)]) == 20


def test_top1_and_false_source():
    assert top1_hit(["D1"], "derived", ["D1", "D2"])
    assert not top1_hit(["D1"], "derived", ["D2", "D1"])
    assert not top1_hit(["D1"], "topic_only", ["D1"])
    assert top1_hit(["D1"], "topic_only", ["D1"], require_derived=False)
    assert top1_hit(["D1", "D2"], "derived", ["D2", "D3", "D1"])
    assert not top1_hit(["D1", "D2"], "derived", ["D1"])
    assert not top1_hit(["D1"], "derived", [])
    assert false_source("derived")
    assert not any(false_source(v) for v in ("shared_quotation", "topic_only", "no_match"))


def test_span_rejects_reversed_offsets():
    with pytest.raises(ValueError):
        Span("L", 10, 5, "D", 0, 1)


def test_side_recall():
    # leak side fully covered, source side half covered; a second case missed
    cases = [case(), case("L2")]
    assert side_recall(cases, [case(c=50, d=150)]) == (pytest.approx(0.5), pytest.approx(0.25))
    assert side_recall([], [case()]) == (0.0, 0.0)
