"""`suggest` (issue 13, part 3): proposals sentence by sentence, the detail label, the review
file round trip into a new version, refusals of malformed and stale files, the semantic check."""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from pathlib import Path

import pytest
from clirunner import one_line_error, run
from requires import require
from samples import write_people
from sqlalchemy import select

from leaktrace import Workspace
from leaktrace.errors import InputError
from leaktrace.ledger.book import Ledger
from leaktrace.marks.sites import Channel
from leaktrace.store import db
from leaktrace.suggest import check as check_mod
from leaktrace.suggest import propose_for_text, suggest, write_review
from leaktrace.suggest.propose import DETAIL, KEEPS, RULES, Rules, load_rules, propose
from leaktrace.text.protect import Protected, find_protected, find_structure
from leaktrace.text.tokens import strip_invisible

MEMO = """# Harbour depot move

The board met on March 4, 2025 in order to review the plan for the harbour depot. All of the
members agreed that the move should begin in the spring, although the budget is still short.

We will meet again at 5:00 p.m. in Room 210 so that the drivers and mechanics can ask questions.
The new depot will hold 340 vehicles, and the lease costs approximately 12,500 dollars a month,
about 8 percent more than the old one. Staff usually arrive early; please make sure the gates
are open prior to the first shift.

> "We cannot keep the old yard open in order to save money," the chair said.

```
in order to keep the build green, run make check
```

The contractors will help the engineers with the wiring and cabling of the new workshop. We
need a new contract for the security and cleaning of the site, and we will choose a supplier
before the summer. Operation Bluefin, the move itself, starts after the quarterly review.
Questions go to [the depot team in order to ask](https://example.org/depot) or to the facilities
office, which is currently short of staff because of the hiring freeze.
"""


@pytest.fixture
def memo_ws(ws: Workspace, tmp_path: Path):
    (tmp_path / "harbour.md").write_text(MEMO, encoding="utf-8")
    doc = ws.add_document(tmp_path / "harbour.md")
    return ws, doc


def _by_original(proposals):
    return {(p.label, p.variants[0]): p for p in proposals}


def test_proposals_on_a_memo():
    base, props = propose_for_text(MEMO, fmt="md")
    got = _by_original(props)
    # keeps the meaning: rephrasings, synonyms, reordered pairs, a time format
    assert got[(KEEPS, "currently")].variants[1:] == ("at present", "at the moment")
    # "make sure (that) the gates" is an automatic site (optional-that): no proposal sits on it
    assert (KEEPS, "make sure") not in got
    assert got[(KEEPS, "help")].kind == "synonym"
    assert got[(KEEPS, "drivers and mechanics")].variants[1] == "mechanics and drivers"
    assert got[(KEEPS, "wiring and cabling")].kind == "reorder"
    assert set(got[(KEEPS, "5:00 p.m.")].variants[1:]) == {"5 p.m.", "17:00"}
    assert got[(KEEPS, "because of")].variants[1:] == ("owing to",)
    # each proposal stands in its own sentence
    assert got[(KEEPS, "help")].sentence.text.startswith("The contractors will help the engineers")
    # never in the heading, the block quote, the code block or the link text
    for p in props:
        for protected in ("# Harbour depot move", "> \"We cannot", "```\nin order to", "[the depot team"):
            a = MEMO.index(protected)
            b = MEMO.index("\n", a + len(protected))
            assert not a <= p.start < b, (p, protected)
    # ids in document order, proposals of one label never overlapping
    assert [p.id for p in props] == [f"P{k}" for k in range(1, len(props) + 1)]
    for label in (KEEPS, DETAIL):
        spans = [(p.start, p.end) for p in props if p.label == label]
        assert all(e1 < s2 for (_, e1), (s2, _) in zip(spans, spans[1:]))


def test_details_are_labelled_as_changing_a_detail(memo_ws, capsys):
    ws, doc = memo_ws
    s = suggest(ws, doc.id, semantic=False)
    details = {p.variants[0]: p for p in s.proposals if p.label == DETAIL}
    assert details["5:00 p.m."].kind == "time" and details["5:00 p.m."].variants[1:] == ("5:15 p.m.", "4:45 p.m.")
    assert details["Room 210"].kind == "place"
    assert details["340"].kind == "quantity" and details["340"].variants[1:] == ("330", "350")
    assert details["Bluefin"].kind == "code-name"
    assert details["March 4"].kind == "date"
    # a detail is never offered as keeping the meaning, whatever its kind
    assert not [p for p in s.proposals if p.label == KEEPS and p.kind in ("time", "place", "quantity", "code-name")]
    r = run(capsys, "suggest", doc.id, "--no-check", "-w", ws.path)
    assert r.code == 0
    assert "CHANGES-DETAIL" in r.out and "change a detail" in r.out
    assert "Semantic check not run" in r.out


def test_rules_table_examples():
    """Every example of rules.toml: where a group proposes (and one variant it offers), where it refuses."""
    checked = 0
    for g in RULES.groups:
        one = Rules((g,), RULES.words)
        for text in [t for t, _ in g.apply] + list(g.refuse):
            props = propose(text, protected=find_protected(text), structure=find_structure(text),
                            occupied=Protected(bytes(len(text))), rules=one)
            mine = [p for p in props if p.kind == g.kind and tuple(p.variants[0].lower().split()) in g.match]
            expected = dict(g.apply).get(text)
            if expected is None:
                assert not mine, (text, mine)
            else:
                assert mine and expected in mine[0].variants[1:], (text, props)
            checked += 1
    assert checked >= 40


def test_keeps_meaning_never_sits_on_an_automatic_site(memo_ws, people_file, tmp_path):
    ws, doc = memo_ws
    ws.import_recipients(people_file)
    ws.mark(doc.id, to="all", out_dir=tmp_path / "copies")
    _, base, sites, _ = ws.code(doc.id)
    s = suggest(ws, doc.id, semantic=False)
    assert s.count(KEEPS) >= 6
    from leaktrace.text.tokens import tokenize

    t = tokenize(base)
    for p in s.proposals:
        for site in sites:
            if site.channel in (Channel.INVISIBLE, Channel.LAYOUT):
                continue    # displaced by a declared site, by design (README)
            for a, b in site.windows:
                lo, hi = t.starts[a - 1], t.ends[b]
                assert p.end <= lo or p.start >= hi, (p, site)
    # a document with an author's declaration already: nothing proposed inside it
    declared = MEMO.replace("help the engineers", "{{help|assist}} the engineers")
    base2, props = propose_for_text(declared, fmt="md")
    at = base2.index("help the engineers")
    assert not [p for p in props if p.start <= at < p.end + 1]


def _accept(review: Path, ids: list[str], edit: dict[str, list[str]] | None = None) -> None:
    text = review.read_text(encoding="utf-8")
    for pid in ids:
        text, n = re.subn(rf"^- \[ \] {pid} ·", f"- [x] {pid} ·", text, flags=re.M)
        assert n == 1, pid
    for pid, variants in (edit or {}).items():
        block = re.search(rf"^- \[x\] {pid} ·.*?\n  - original: .*?\n((?:  - variant: .*\n)+)", text, flags=re.M)
        text = text[:block.start(1)] + "".join(f"  - variant: {v}\n" for v in variants) + text[block.end(1):]
    review.write_text(text, encoding="utf-8")


def _ids(review: Path, label: str, original: str) -> str:
    m = re.search(rf"^- \[ \] (P\d+) · {label} · .*\n  - original: {re.escape(original)}\n",
                  review.read_text(encoding="utf-8"), flags=re.M)
    assert m, original
    return m.group(1)


def test_round_trip_creates_a_version_and_issued_copies_still_trace(memo_ws, people_file, tmp_path, capsys):
    ws, doc = memo_ws
    ws.import_recipients(people_file)
    ws.mark(doc.id, to="all", out_dir=tmp_path / "v1")
    people = [r.id for r in ws.recipients()]
    old_copy = ws.render_copy(doc.id, people[7])
    with ws.engine.connect() as conn:
        old_code = conn.execute(select(db.codes.c.sites, db.codes.c.biases).where(db.codes.c.doc == 1)).first()

    review = tmp_path / "review.md"
    r = run(capsys, "suggest", doc.id, "--out", review, "--no-check", "-w", ws.path)
    assert r.code == 0 and review.is_file()
    ids = [_ids(review, "keeps-meaning", "currently"), _ids(review, "keeps-meaning", "drivers and mechanics"),
           _ids(review, "keeps-meaning", "because of"), _ids(review, "changes-detail", "Room 210")]
    _accept(review, ids, edit={ids[0]: ["at present", "right now"]})
    r = run(capsys, "suggest", doc.id, "--apply", review, "--by", "Ada Author", "--json", "-w", ws.path)
    assert r.code == 0, r.err
    done = r.json()
    v2 = done["version"]
    assert (v2["id"], v2["version"], v2["series"]) == ("D2", 2, "D1")
    assert done["declared_sites"] == 4 and done["declined"] > 0
    assert {a["proposal"] for a in done["accepted"]} == set(ids)
    assert next(a for a in done["accepted"] if a["proposal"] == ids[0])["variants"] == ["at present", "right now"]

    # the new version's text declares the accepted alternatives; its base reads as before
    row = ws.documents_.row("D2")
    assert "{{currently|at present|right now}}" in row.original and "{{Room 210|Room 211|Room 212}}" in row.original
    assert row.base == ws.documents_.row("D1").base
    _, _, sites2, _ = ws.code("D2")
    declared = [s for s in sites2 if s.channel == Channel.DECLARED]
    assert sorted(s.variants[0][0] for s in declared) == sorted(["currently", "drivers and mechanics", "because of",
                                                                 "Room 210"])
    # copies of the new version carry the declared variants
    ws.mark("D2", to="all", out_dir=tmp_path / "v2")
    texts = [ws.render_copy("D2", rid) for rid in people]
    plain = [" ".join(strip_invisible(t).split()) for t in texts]
    assert any("at present short of staff" in t for t in plain) and any("right now short of staff" in t for t in plain)
    assert any("Room 212" in t for t in plain) and any("mechanics and drivers" in t for t in plain)

    # the old version's code and issued copies are untouched, and still trace to their holder
    with ws.engine.connect() as conn:
        assert conn.execute(select(db.codes.c.sites, db.codes.c.biases).where(db.codes.c.doc == 1)).first() == old_code
    assert ws.render_copy(doc.id, people[7]) == old_copy
    res = ws.trace(old_copy, audit=False)
    assert res.verdict == "identified" and res.document["id"] == "D1"
    assert [c.recipient for c in res.copies if c.identified] == [people[7]]
    res = ws.trace(texts[11], audit=False)
    assert res.verdict == "identified" and res.document["id"] == "D2"
    assert [c.recipient for c in res.copies if c.identified] == [people[11]]
    # both versions' copies are scored; one bound counts them all (not two bounds over each half)
    n = len(people)
    assert res.recipients_scored == n and [r.document["id"] for r in res.other_sources] == ["D1"]
    assert any(f"counts all {2 * n} copies" in note for note in res.notes)
    assert all(not c.identified for c in res.other_sources[0].copies)
    # everyone holds a copy of each version: the listing counts copies and names each holder once
    (tmp_path / "leak.txt").write_text(texts[11], encoding="utf-8")
    r = run(capsys, "trace", tmp_path / "leak.txt", "-w", ws.path)
    line = next(x for x in r.out.splitlines() if x.startswith("Copies that contained it"))
    assert line.startswith(f"Copies that contained it: {2 * len(people)}, held by {len(people)} recipients: ")
    names = line.split(": ", 2)[2].removesuffix(" …").split(", ")
    assert len(names) == len(set(names)) == min(12, len(people))

    # who accepted what, and when, is in the audit log
    entries = [e for e in Ledger(ws).events(kind="audit") if e.action == "suggest-apply"]
    assert len(entries) == 1
    e = entries[0]
    assert e.actor == "Ada Author" and e.document == 2 and e.occurred_at
    assert e.details["document"] == "D1" and e.details["version"] == "D2"
    assert {a["proposal"] for a in e.details["accepted"]} == set(ids)
    assert Ledger(ws).verify().ok


def test_malformed_or_stale_review_refused(memo_ws, tmp_path, capsys):
    ws, doc = memo_ws
    review = tmp_path / "review.md"
    write_review(ws, doc.id, review, semantic=False)
    good = review.read_text(encoding="utf-8")
    pid = _ids(review, "keeps-meaning", "currently")

    def refused(text: str, *extra: str) -> str:
        bad = tmp_path / "bad.md"
        bad.write_text(text, encoding="utf-8")
        r = run(capsys, "suggest", *(extra or (doc.id,)), "--apply", bad, "--by", "Ada", "-w", ws.path)
        return one_line_error(r)

    assert "not a leaktrace review file" in refused("# my notes\n- [x] P1\n")
    assert "proposal line must read" in refused(good.replace(f"- [ ] {pid} ·", f"- [y] {pid} ·"))
    assert "original" in refused(good.replace(f"- [ ] {pid} ·", f"- [x] {pid} ·")
                                 .replace("  - original: currently", "  - original: now"))
    assert "2 to 4" in refused(re.sub(r"(- \[ \] " + pid + r" ·.*\n  - original: .*\n)(  - variant: .*\n)+",
                                      r"\1", good).replace(f"- [ ] {pid} ·", f"- [x] {pid} ·"))
    assert "reserves" in refused(good.replace(f"- [ ] {pid} ·", f"- [x] {pid} ·")
                                 .replace("  - variant: at present", "  - variant: at|present"))
    assert "no proposal is accepted" in refused(good)
    # stale: the file names another text of the document
    sha = re.search(r"text-sha256=([0-9a-f]{64})", good).group(1)
    assert "is stale" in refused(good.replace(sha, hashlib.sha256(b"other").hexdigest())
                                 .replace(f"- [ ] {pid} ·", f"- [x] {pid} ·"))
    # stale: the document has had a newer version since the file was written
    accepted = good.replace(f"- [ ] {pid} ·", f"- [x] {pid} ·")
    review.write_text(accepted, encoding="utf-8")
    assert run(capsys, "suggest", doc.id, "--apply", review, "--by", "Ada", "-w", ws.path).code == 0
    msg = refused(accepted)
    assert "is stale" in msg and "newer version (D2)" in msg
    # a review of D1 applied to D2
    assert "was written for D1, not D2" in refused(accepted, "D2")
    # --apply without --by
    r = run(capsys, "suggest", doc.id, "--apply", review, "-w", ws.path)
    assert "--by NAME" in one_line_error(r)
    # refusals leave nothing behind: one new version, one audit entry
    assert [d.id for d in ws.versions(doc.id)] == ["D1", "D2"]


def test_semantic_check_rejects_a_meaning_changing_synonym(memo_ws, tmp_path):
    require(check_mod.available())
    ws, doc = memo_ws
    # a "synonym" that reverses the sense, next to a fair one
    bad = load_rules(extra=[{"kind": "synonym", "forms": ["contractors", "volunteers"]},
                            {"kind": "synonym", "forms": ["quarterly", "annual"]}])
    review = tmp_path / "review.md"
    s = write_review(ws, doc.id, review, rules=bad)
    assert s.check.ran and s.check.threshold == check_mod.THRESHOLD
    rejected = {(r.proposal.variants[0], r.variant): r.cosine for r in s.rejected}
    assert rejected[("contractors", "volunteers")] < check_mod.THRESHOLD
    assert rejected[("quarterly", "annual")] < check_mod.THRESHOLD
    assert not [p for p in s.proposals if "volunteers" in p.variants or "annual" in p.variants]
    kept = [p for p in s.proposals if p.label == KEEPS]
    assert kept and all(c >= check_mod.THRESHOLD for p in kept for c in p.cosines)
    text = review.read_text(encoding="utf-8")
    assert "Rejected by the semantic check" in text and "“contractors” → “volunteers”" in text
    assert f"within cosine {check_mod.THRESHOLD:.2f}" in text


def test_without_the_extra_the_check_says_it_did_not_run(memo_ws, monkeypatch, capsys):
    ws, doc = memo_ws
    monkeypatch.setattr(check_mod, "available", lambda: "semantic search needs the optional packages usearch")
    s = suggest(ws, doc.id)
    assert not s.check.ran and not s.rejected and s.proposals
    assert "Semantic check not run: semantic search needs" in s.check.describe()
    r = run(capsys, "suggest", doc.id, "--json", "-w", ws.path)
    data = r.json()
    assert data["check"]["ran"] is False and "usearch" in data["check"]["reason"]
    assert data["keeps_meaning"] >= 6 and data["keeps_meaning_per_100_words"] > 0


def test_apply_refuses_formats_it_cannot_rewrite(ws, tmp_path, capsys):
    html = "<html><body><p>" + MEMO.split("\n\n")[1].replace("\n", " ") + " " + \
        MEMO.split("\n\n")[2].replace("\n", " ") + "</p></body></html>"
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    doc = ws.add_document(tmp_path / "page.html")
    review = tmp_path / "review.md"
    write_review(ws, doc.id, review, semantic=False)
    _accept(review, [re.search(r"^- \[ \] (P\d+) ·", review.read_text(), flags=re.M).group(1)])
    with pytest.raises(InputError, match="text and Markdown documents only"):
        ws.apply_suggestions(doc.id, review, by="Ada")
