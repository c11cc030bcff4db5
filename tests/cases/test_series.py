"""Evidence across a series of leaks: three retyped 200-word leaks of one copy, each
inconclusive alone, identify it jointly; three leaks of three different copies name no one;
the joint bound holds for innocent copies, also where the leaks overlap."""

from __future__ import annotations

import hashlib
import random

import numpy as np
import pytest
from clirunner import run
from samples import people_rows, series_memo, write_people

from leaktrace import Workspace, simulate
from leaktrace.cases.book import Cases
from leaktrace.cases.pseudonyms import pseudonym
from leaktrace.marks.code import make_biases
from leaktrace.marks.score import JointModel

IDS = [r["id"] for r in people_rows(200)]


@pytest.fixture(scope="module")
def works(tmp_path_factory):
    root = tmp_path_factory.mktemp("series")
    ws = Workspace.create(root / "ws", key=hashlib.sha256(b"series of leaks").digest())
    doc = ws.add_document(text=series_memo(), title="Network works", fmt="md", name="works.md")
    ws.import_recipients(write_people(root / "people.csv", 200))
    ws.mark(doc.id, to="all", out_dir=root / "copies")
    yield ws, doc, root
    ws.close()


def excerpts(ws, doc, rid: str, rng: random.Random) -> list[str]:
    """Three retyped 200-word excerpts from the beginning, middle and end of one copy."""
    words = ws.render_copy(doc.id, rid).split(" ")
    third = len(words) // 3
    return [simulate.retype(" ".join(words[k * third + 20:k * third + 220]), rng) for k in range(3)]


def case_of(ws, root, name: str, leaks: list[str]) -> tuple[Cases, str]:
    cs = Cases(ws)
    case = cs.open(f"Series {name}", "Find which copy a series of posts quotes")
    for k, text in enumerate(leaks):
        path = root / f"{name}-{k}.txt"
        path.write_text(text, encoding="utf-8")
        cs.add_artifact(case.id, path, obtained_from="a forum", obtained_at="2030-06-02T00:00:00Z",
                        first_seen="2030-06-01T00:00:00Z")
    cs.trace(case.id)
    return cs, case.id


def test_three_leaks_of_one_copy_identify_it_jointly(works, capsys):
    ws, doc, root = works
    leaker = IDS[17]
    cs, case = case_of(ws, root, "one", excerpts(ws, doc, leaker, random.Random(1)))
    findings = cs.view(case).findings
    assert len(findings) == 3 and all(f.verdict == "inconclusive" for f in findings)
    (j,) = cs.joint(case)
    assert j.document["id"] == doc.id and j.artifacts == ("A1", "A2", "A3") and j.candidates == 200
    named = [c for c in j.copies if c.identified]
    copy = dict((r, c) for r, _, c in ws.issued_copies(doc.id))[leaker]
    assert len(named) == 1 and named[0].subject.pseudonym == pseudonym(ws.key, "recipient", leaker)
    assert named[0].subject.label.startswith("Recipient-")      # pseudonymized, as everywhere in a case
    assert named[0].copy is None and j.identified_copies == (copy,)   # its id would unmask the holder
    assert "If these 3 artifacts" in j.statement
    r = run(capsys, "case", "joint", case, "--workspace", root / "ws")
    assert r.code == 0 and "If these 3 artifacts" in r.out and "identified" in r.out
    assert leaker not in r.out
    entry = [e for e in cs.audit(case) if e.action == "joint"][-1]
    assert entry.details["documents"][0]["identified_copies"] == [copy]


def test_three_leaks_of_three_copies_name_no_one(works):
    ws, doc, root = works
    rng = random.Random(2)
    leaks = [excerpts(ws, doc, rid, rng)[k] for k, rid in enumerate((IDS[3], IDS[50], IDS[120]))]
    cs, case = case_of(ws, root, "three", leaks)
    (j,) = cs.joint(case)
    assert not any(c.identified for c in j.copies)


def test_the_joint_bound_holds_for_innocent_copies_with_overlapping_leaks():
    rng = np.random.default_rng(5)
    qs = rng.integers(2, 5, size=60)
    biases = make_biases(b"k" * 32, "doc", qs.tolist())
    leaker = np.array([rng.choice(q, p=biases[i, :q]) for i, q in enumerate(qs)])
    readings = []
    for lo, hi in ((0, 30), (15, 45), (25, 60)):       # overlapping leaks, some reads altered
        r = np.full(len(qs), -1)
        r[lo:hi] = leaker[lo:hi]
        noisy = rng.random(len(qs)) < 0.1
        r[noisy & (r >= 0)] = 0
        readings.append(r)
    model = JointModel.build(biases, readings)
    innocents = np.array([[rng.choice(q, p=biases[i, :q]) for i, q in enumerate(qs)] for _ in range(20000)])
    scores = model.scores(innocents)
    for s in np.quantile(scores, [0.5, 0.9, 0.99, 0.999]):
        empirical = (scores >= s).mean()
        assert empirical <= np.exp(model.log_tail(float(s))) + 3 * np.sqrt(empirical / len(scores)) + 1e-4
