"""Reading every variant: where a copy differs from the original next to a lone word
("Please handle these figures", ". We quietly expect"), the alignment, which follows the
original's words, leaves that word unaligned; the leak is then compared with every variant of
the site, so the copy's own variant is read instead of being lost (which used to leave only the
sites where the copy reads like the original, and ranked innocent copies holding the original's
words first)."""

from __future__ import annotations

import hashlib
import random

import pytest
from clirunner import run

from leaktrace import Workspace, simulate
from leaktrace.marks.sites import Channel
from leaktrace.text.tokens import strip_invisible

HARBOUR = """# Harbour works funding review

**Restricted.** For the steering group only.

## Where the programme stands

The harbour works programme has {{spent|used}} {{about 60 per cent|roughly 60 per cent|some 60 per cent}} of its budget with two of its five phases finished. {{Approximately|About}} 140 contractors are on site each week, and the dredging crews have worked through the winter without a serious incident. The board {{would|will}} be told in April that the quay wall is running three months late, and the finance committee has asked for a revised forecast before then.

The delay comes {{mostly|largely}} from the ground conditions under berth four. The survey we commissioned in 2023 found softer clay than the design assumed, and the piling contractor has had to drive {{longer|deeper}} piles at {{nearly|almost}} every position. We {{privately|quietly}} expect the final cost of that change to reach 4.2 million, which is more than the contingency that remains for the whole programme.

## What we propose

We propose to {{pause|suspend}} the landscaping of the north promenade until the quay wall is finished, and to move its budget to the piling work. The promenade was always the part of the programme that residents {{cared about least|cared least about}}, and a pause of a year {{would not|will not}} harm the tourism season, because the beach car park stays open throughout.

We also propose to {{renegotiate|reopen}} the dredging contract. The contractor has {{offered|proposed}} to finish the channel with one vessel instead of two, which would save {{close to|nearly}} 800,000 but add six weeks. Since the quay wall is late anyway, those six weeks {{cost us nothing|cost nothing}} in practice.

## What we are asking of you

Please {{treat|handle}} these figures as confidential until the board has seen them. The council's communications team {{has prepared|has drafted}} a short statement in case the delay is reported before April, and {{nobody|no one}} should comment on the cost of the piling change in the meantime. If a journalist or a councillor asks about the programme, refer them to the project office, which keeps a log of every enquiry.

We {{will|shall}} circulate the revised forecast at the next meeting, together with a risk register that the auditors have asked to see. Comments on this note are welcome until the end of the month; send them to the programme director, who {{will collect|is collecting}} them for the steering group.
"""
PEOPLE = [f"p{i:03d}" for i in range(300)]


@pytest.fixture(scope="module")
def harbour(tmp_path_factory):
    root = tmp_path_factory.mktemp("harbour")
    ws = Workspace.create(root / "ws", key=hashlib.sha256(b"read every variant").digest())
    (root / "memo.md").write_text(HARBOUR, encoding="utf-8")
    (root / "people.csv").write_text("id,name,email\n" + "".join(f"{p},Person {p[1:]},{p}@example.org\n"
                                                                 for p in PEOPLE), encoding="utf-8")
    doc = ws.add_document(root / "memo.md", title="Harbour works funding review")
    ws.import_recipients(root / "people.csv")
    ws.mark(doc.id, to="all", out_dir=root / "copies")
    yield ws, doc, root
    ws.close()


def article(ws, doc, rid: str) -> str:
    """A news article that retypes two paragraphs of one copy (no typos), among its own words."""
    paras = ws.render_copy(doc.id, rid).split("\n\n")
    delay = next(p for p in paras if strip_invisible(p).startswith("The delay comes"))
    please = next(p for p in paras if strip_invisible(p).startswith("Please"))
    retyped = simulate.retype(delay + "\n\n" + please, random.Random(rid), typo_rate=0.0)
    return ("Council sources say the harbour scheme is in trouble. A note seen by this paper reads:\n\n"
            + retyped + "\n\nThe council declined to comment on the note.")


def test_a_copys_own_variant_next_to_a_lone_word_is_read(harbour):
    ws, doc, _ = harbour
    _, base, sites, code = ws.code(doc.id)
    lone = {"treat", "privately"}        # after "Please" at a paragraph's start, after ". We"
    checked = 0
    for rid in PEOPLE[:40]:
        res = ws.trace(article(ws, doc, rid), audit=False)
        cw = code.codeword(rid)
        read = {r.site: r for r in res.site_reads if r.status == "read"}
        for i, site in enumerate(sites):
            if site.channel == Channel.DECLARED and site.variants[0][0] in lone and cw[i] != 0:
                checked += 1
                assert i in read, (rid, site.variants[0][0], site.variants[int(cw[i])][0])
                assert read[i].observed == site.variants[int(cw[i])][0]
        # every declared site of the two paragraphs is read, with the copy's variant
        assert all(r.agrees for r in res.site_reads if r.status == "read" and r.channel == "declared")
        assert res.sites_read.get("declared", 0) == 7
    assert checked >= 20


def test_the_leakers_copy_agrees_at_every_mark_read_and_scores_highest(harbour):
    ws, doc, _ = harbour
    _, _, sites, code = ws.code(doc.id)
    lone = [i for i, s in enumerate(sites) if s.variants[0][0] in ("treat", "privately")]
    leakers = [rid for rid in PEOPLE if all(code.codeword(rid)[i] != 0 for i in lone)][:10]
    assert len(leakers) >= 5
    for rid in leakers:
        res = ws.trace(article(ws, doc, rid), audit=False)
        # seven two-way declared sites cannot single out one copy among 300 (other copies share
        # the pattern), but the leaker's copy is no longer outscored by copies that read like
        # the original where it does not
        mine = next(c for c in res.copies if c.recipient == rid)
        assert mine.agreed == mine.read >= 7
        assert mine.score == res.copies[0].score
        assert all(c.false_accusation_bound > 1e-6 or c.recipient == rid for c in res.copies)


def test_trace_sites_says_why_a_site_was_not_read(harbour, capsys, monkeypatch):
    ws, doc, root = harbour
    rid = PEOPLE[3]
    leak = article(ws, doc, rid)
    for word in ("privately", "quietly"):
        leak = leak.replace(f"We {word} expect", "We secretly expect")
    (root / "article.txt").write_text(leak, encoding="utf-8")
    res = ws.trace(leak, audit=False)
    status = {r.site: r.status for r in res.site_reads}
    _, _, sites, _ = ws.code(doc.id)
    secret = next(i for i, s in enumerate(sites) if s.variants[0][0] == "privately")
    assert status[secret] == "unreadable"
    r = run(capsys, "trace", root / "article.txt", "--sites", "--workspace", root / "ws")
    assert r.code == 0, r.err
    assert "(unreadable)" in r.out and "not read" in r.out
