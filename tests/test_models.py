from dataclasses import asdict

from leaktrace.models import CopyScore, TraceResult, plain
from leaktrace.search.sources import ReusedPassage, SourceMatch


def _source() -> SourceMatch:
    passage = ReusedPassage(3, 40, 100, 137, "verbatim", 1.0, "Logistics", "leak words", "doc words")
    exposure = [{"recipient": "r1", "name": "Ana", "copy": "C1", "document": "D1", "sections": ["Logistics"]},
                {"recipient": "r2", "name": "Bo", "copy": "C2", "document": "D1", "sections": None}]
    return SourceMatch({"id": "D1", "title": "Memo", "series": "D1", "version": 1}, True, 7, 0.5, 7,
                       [passage], ["Logistics"], [{"id": "D1", "version": 1, "contains": True}], exposure)


def test_plain_is_asdict_for_nested_dataclasses():
    m = _source()
    assert plain(m) == asdict(m)
    tr = TraceResult("identified", "found", copies=[CopyScore("r1", "Ana", "C1", 3.5, 1e-9, 12, 14, True)],
                     all_scores=[3.5, 0.1], sources=[plain(m)])
    assert plain(tr) == asdict(tr)


def test_plain_copies_what_it_returns():
    m = _source()
    out = plain(m)
    out["exposure"][0]["sections"].append("Timing")
    out["document"]["title"] = "changed"
    assert m.exposure[0]["sections"] == ["Logistics"]
    assert m.document["title"] == "Memo"
