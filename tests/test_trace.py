"""Tracing end to end on a marked workspace: verdicts, collusion, and no false accusations."""

import random

import numpy as np
import pytest

from leaktrace import simulate
from leaktrace.marks.embed import render
from samples import MEMO, people_rows

IDS = [r["id"] for r in people_rows(40)]


def paragraph(copy, k):
    """Paragraph k of a copy (copies carry invisible marks, so find it by position)."""
    return copy.split("\n\n")[k]


def test_verbatim_excerpt_identifies_the_copy(marked):
    ws, doc = marked
    copy = ws.render_copy(doc.id, IDS[5])
    leak = "As quoted online: " + simulate.excerpt(copy, 30, random.Random(1)) + " (end of quote)"
    res = ws.trace(leak)
    assert res.verdict == "identified"
    assert res.document == {"id": doc.id, "title": "Depot plan"}
    top = res.copies[0]
    assert top.recipient == IDS[5] and top.identified and top.false_accusation_bound <= 1e-6
    assert [c.recipient for c in res.copies if c.identified] == [IDS[5]]
    assert res.recipients_scored == 40
    assert res.site_reads and all(r.agrees for r in res.site_reads if r.status == "read")


def test_every_copy_is_traced_to_its_recipient(marked):
    ws, doc = marked
    for rid in IDS[:10]:
        res = ws.trace(ws.render_copy(doc.id, rid))
        assert [c.recipient for c in res.copies if c.identified] == [rid]


def test_unmarked_original_never_identifies_anyone(marked):
    ws, doc = marked
    for text in (MEMO, simulate.retype(MEMO, random.Random(2))):
        res = ws.trace(text)
        assert res.verdict in ("inconclusive", "no_match")
        assert not any(c.identified for c in res.copies)


def test_unrelated_same_topic_text_is_no_match(marked):
    ws, _ = marked
    text = ("Our depots at Millbrook and Fenwick held an open day for families. Children climbed into "
            "the vans, the stores team handed out badges, and the crews showed how a burst main is "
            "repaired. Visitors asked about the winter storm season and about apprenticeships.")
    res = ws.trace(text)
    assert res.verdict == "no_match" and res.document is None and not res.copies


def test_sanitized_paragraph_of_a_short_memo_is_inconclusive_and_says_why(marked):
    ws, doc = marked
    copy = ws.render_copy(doc.id, IDS[3])
    res = ws.trace(simulate.sanitize(paragraph(copy, 4)))
    assert res.verdict == "inconclusive" and res.document["id"] == doc.id
    assert res.more_words_needed is None and "more text than the document holds" in res.summary
    assert not any(c.identified for c in res.copies)


def test_inconclusive_says_how_many_more_words_are_needed(ws, tmp_path):
    from pathlib import Path

    from samples import write_people

    memo = Path(__file__).resolve().parents[1] / "examples" / "memo.md"
    doc = ws.add_document(memo)
    ws.import_recipients(write_people(tmp_path / "p.csv", 50))
    ws.mark(doc.id, out_dir=tmp_path / "c")
    copy = ws.render_copy(doc.id, ws.recipients()[7].id)
    res = ws.trace(simulate.retype(simulate.excerpt(copy, 120, random.Random(9)), random.Random(9)))
    assert res.verdict == "inconclusive"
    assert res.more_words_needed and 10 <= res.more_words_needed < doc.words
    assert f"about {res.more_words_needed} more words" in res.summary


def test_a_mix_of_copies_with_enough_marks_says_so(marked):
    ws, doc = marked
    _, base, sites, code = ws.code(doc.id)
    x = np.stack([code.codeword(r) for r in IDS[:6]])
    mixed = simulate.collude(x, [s.q for s in sites], "random", random.Random(2))
    res = ws.trace(simulate.retype(render(base, sites, mixed), random.Random(2)))
    assert not any(c.identified and c.recipient not in IDS[:6] for c in res.copies)
    if res.verdict == "inconclusive" and res.more_words_needed is None:
        assert "mix several copies" in res.summary or "more text than" in res.summary


def test_collusion_names_only_colluders(marked):
    ws, doc = marked
    _, base, sites, code = ws.code(doc.id)
    colluders = IDS[:3]
    x = np.stack([code.codeword(r) for r in colluders])
    for mode in ("majority", "random", "interleave"):
        para = [base.count("\n\n", 0, s.start) for s in sites]
        mixed = simulate.collude(x, [s.q for s in sites], mode, random.Random(4), paragraph_of_site=para)
        res = ws.trace(render(base, sites, mixed))
        named = {c.recipient for c in res.copies if c.identified}
        assert named and named <= set(colluders), mode


def test_trace_reports_passages_with_offsets(marked):
    ws, doc = marked
    copy = ws.render_copy(doc.id, IDS[0])
    part = paragraph(copy, 7)
    leak = "Intro words here. " + part
    res = ws.trace(leak)
    p = res.passages[0]
    assert res.verdict == "identified"
    assert leak[p.leak_start:p.leak_end].strip() and p.leak_start >= len("Intro words here. ") - 1


@pytest.mark.parametrize("n", [0])
def test_a_document_without_issued_copies_is_inconclusive(ws, memo_file, n):
    doc = ws.add_document(memo_file)
    res = ws.trace(MEMO)
    assert res.verdict == "inconclusive" and res.document["id"] == doc.id and "no marked copies" in res.summary


def test_a_leak_quoting_two_marked_documents_gets_a_verdict_for_each(marked, tmp_path):
    from reuse_samples import BRIEFING

    ws, memo = marked
    brief = ws.add_document(text=BRIEFING, title="Storm readiness", fmt="md", name="briefing.md")
    ws.mark(brief.id, to=IDS[:20], out_dir=tmp_path / "brief-copies")
    memo_copy = ws.render_copy(memo.id, IDS[3])
    brief_copy = ws.render_copy(brief.id, IDS[11])
    leak = ("A reader sent us two internal papers.\n\n" + "\n\n".join(memo_copy.split("\n\n")[1:6])
            + "\n\nThe second one reads:\n\n" + brief_copy)
    res = ws.trace(leak)
    verdicts = {r.document["id"]: r for r in [res, *res.other_sources]}
    assert set(verdicts) == {memo.id, brief.id}
    for doc, rid, scored in ((memo.id, IDS[3], 40), (brief.id, IDS[11], 20)):
        r = verdicts[doc]
        assert r.verdict == "identified" and r.recipients_scored == scored
        assert [c.recipient for c in r.copies if c.identified] == [rid]
        assert r.passages and sum(r.sites_read.values()) > 0
    # the stored form of a trace (cases keep it as JSON) keeps every source's verdict
    from leaktrace.models import TraceResult

    again = TraceResult.from_json(res.to_json())
    assert [o.document["id"] for o in again.other_sources] == [o.document["id"] for o in res.other_sources]
    assert again.other_sources[0].copies[0].recipient == res.other_sources[0].copies[0].recipient


def test_only_copies_that_held_the_leaked_section_are_scored(ws, memo_file, people_file, tmp_path):
    doc = ws.add_document(memo_file, title="Depot plan")
    ws.import_recipients(people_file)
    names = [s.name for s in ws.sections(doc.id)]
    assert len(names) >= 3
    leaked, other = names[1], names[2]
    ws.mark(doc.id, to=IDS[:25], out_dir=tmp_path / "full")
    ws.mark(doc.id, to=IDS[25:], out_dir=tmp_path / "part", sections=[n for n in names if n != leaked])
    res = ws.trace(ws.render_copy(doc.id, IDS[4], sections=[leaked]))
    # the 15 copies without that section could not have produced the leak: not scored, not in n
    assert res.recipients_scored == 25 and res.copies_issued == 40
    assert all(c.recipient in IDS[:25] for c in res.copies)
    assert [c.recipient for c in res.copies if c.identified] == [IDS[4]]
    assert any("25 of the 40 copies" in n for n in res.notes)
    # a section every copy held: all 40 are candidates
    res = ws.trace(ws.render_copy(doc.id, IDS[30], sections=[other]))
    assert res.recipients_scored == 40 and res.copies_issued == 40
