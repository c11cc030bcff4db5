"""A case's exposure set leaves out the copies that held other sections only."""

from __future__ import annotations

from samples import MEMO, write_people

from leaktrace.cases.book import Cases
from leaktrace.cases.pseudonyms import pseudonym


def test_copies_of_other_sections_are_not_in_the_exposure_set(ws, tmp_path):
    ws.import_recipients(write_people(tmp_path / "people.csv", 12))
    doc = ws.add_document(text=MEMO, fmt="md", name="memo.md")
    ids = [r.id for r in ws.recipients()]
    ws.mark(doc.id, to=ids[:4], out_dir=tmp_path / "whole")
    ws.mark(doc.id, to=ids[4:8], out_dir=tmp_path / "changes", sections="What changes")
    ws.mark(doc.id, to=ids[8:], out_dir=tmp_path / "timing", sections="Timing and risks")
    copy = ws.render_copy(doc.id, ids[1])
    start = copy.index("## Timing")
    (tmp_path / "article.txt").write_text("A reader sent us part of a plan.\n\n" + copy[start:start + 700])
    cases = Cases(ws)
    case = cases.open("Plan quoted", "find the copy")
    cases.add_artifact(case.id, tmp_path / "article.txt", obtained_from="the outlet's site",
                       obtained_at="2099-01-01T00:00:00Z", first_seen="2099-01-01T00:00:00Z")
    (finding,) = cases.trace(case.id)
    assert finding.result.verdict == "identified"
    held = {row.subject.pseudonym for row in finding.exposure if row.held_copy}   # people appear under pseudonyms
    assert held == {pseudonym(ws.key, "recipient", r) for r in ids[:4] + ids[8:]}   # whole and timing-only copies
    assert all(row.copy is None for row in finding.exposure)    # no copy id under a pseudonym
