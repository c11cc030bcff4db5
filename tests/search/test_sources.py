"""Source search: passage pairs with offsets and kinds, versions, sections, several sources,
shared quotations, same-topic negatives and the content exposure set."""

from __future__ import annotations

import json

import pytest
from reuse_samples import BRIEFING, PARAPHRASE, SAME_TOPIC
from samples import MEMO

from leaktrace.errors import InputError, NotFoundError

@pytest.fixture
def docs(ws):
    memo = ws.add_document(text=MEMO, fmt="md", name="memo.md")
    brief = ws.add_document(text=BRIEFING, fmt="md", name="briefing.md")
    return ws, memo, brief


def _base(ws, doc):
    return ws.base_text(doc.id)


def test_a_verbatim_excerpt_gives_exact_offsets_on_both_sides(docs):
    ws, memo, _ = docs
    base = _base(ws, memo)
    start = base.index("Crews at Millbrook")
    excerpt = base[start:start + 180]
    leak = "Reporters obtained a memo. " + excerpt + " The company declined to comment."
    res = ws.search(leak)
    assert res.verdict == "derived" and [s.document["id"] for s in res.sources] == [memo.id]
    (p,) = res.sources[0].passages
    assert p.kind == "verbatim" and p.similarity == 1.0
    assert leak[p.leak_start:p.leak_end] == base[p.doc_start:p.doc_end]
    assert abs(p.leak_start - leak.index(excerpt)) <= 2 and abs(p.doc_start - start) <= 2
    assert p.section == "Why we are doing this" and res.sources[0].sections == ["Why we are doing this"]


def test_light_edits_are_near_verbatim(docs):
    ws, memo, _ = docs
    base = _base(ws, memo)
    start = base.index("The move should take")
    excerpt = base[start:start + 260].replace("weekly", "weekley").replace("the rota change", "rota change")
    res = ws.search("Leaked: " + excerpt)
    assert res.verdict == "derived"
    assert [p.kind for p in res.sources[0].passages] == ["near_verbatim"]
    assert 0.8 < res.sources[0].passages[0].similarity < 0.97


def test_a_paraphrase_with_nothing_copied_is_a_lead_not_evidence(docs):
    ws, memo, _ = docs
    res = ws.search(PARAPHRASE)
    # four sentences in a row pair with four memo sentences in order: a possible paraphrase,
    # named with its section and who held it, but never called a derived leak on words alone
    assert res.verdict == "possible_paraphrase" and not res.exposure
    (src,) = res.sources
    assert src.document["id"] == memo.id and not src.derived
    assert {p.kind for p in src.passages} == {"possible_paraphrase"}
    assert src.sections == ["Why we are doing this"]
    p = src.passages[0]
    base = _base(ws, memo)
    assert "western depots" in base[p.doc_start:p.doc_end] and "drifted apart" in PARAPHRASE[p.leak_start:p.leak_end]
    assert "lead, not evidence" in res.summary


def test_reworded_text_around_a_copied_phrase_is_one_derived_passage(docs):
    ws, memo, _ = docs
    base = _base(ws, memo)
    kept = "Crews at Millbrook wait for parts that sit unused at Fenwick"
    # the leak copies one phrase and rewords the rest of the passage, in the memo's order
    leak = (kept + ", and each winter Fenwick borrows Millbrook vans. The authors think both depots "
            "ought to share a single stores system and a single rota ahead of the coming storm season.")
    res = ws.search("From our notes: " + leak)
    assert res.verdict == "derived" and res.sources[0].document["id"] == memo.id
    (p,) = res.sources[0].passages          # one passage, not a copied piece and stray sentences
    assert p.kind == "paraphrase" and 0.3 < p.similarity < 0.75
    assert p.leak_text == leak
    assert p.doc_text.startswith(kept) and p.doc_text.endswith("before the next storm season.")


def test_a_heavy_rewording_that_keeps_short_phrases_in_order_is_derived(docs):
    ws, memo, _ = docs
    leak = ("Our source says the move should take roughly six weeks. The main dangers are the stores migration, "
            "the rota shift and the winter peak, and managers will follow all three at the weekly meeting. Should "
            "the migration slip, they will delay the rota change instead of running both changes in one week. It "
            "is important that this plan stays within the group until the announcement, staff were told.")
    words, memo_words = leak.split(), " ".join(MEMO.split())
    assert not any(" ".join(words[i:i + 8]) in memo_words for i in range(len(words) - 7))   # no 8-word run
    res = ws.search(leak)
    assert res.verdict == "derived" and res.sources[0].document["id"] == memo.id
    (p,) = res.sources[0].passages
    assert p.kind == "paraphrase" and p.section == "Timing and risks"
    assert p.leak_text.startswith("the move should take") and p.leak_text.endswith("within the group until")


def test_two_documents_in_one_leak_are_two_sources(docs):
    ws, memo, brief = docs
    m, b = _base(ws, memo), _base(ws, brief)
    one = m[m.index("We're also going"):m.index("We're also going") + 200]
    two = b[b.index("Leads should check"):b.index("Leads should check") + 160]
    res = ws.search(f"Two documents reached us. The first: {one} And the second: {two}")
    assert sorted(s.document["id"] for s in res.sources) == sorted([memo.id, brief.id])
    assert all(s.derived for s in res.sources)


def test_same_topic_text_and_unrelated_text_are_not_derived(docs):
    ws, _, _ = docs
    assert ws.search(SAME_TOPIC).verdict == "topic_only"
    assert ws.search("Completely unrelated prose about astronomy, telescopes and the rings of distant "
                     "gas giants, observed over several clear autumn nights.").verdict in ("no_match", "topic_only")
    t = ws.trace(SAME_TOPIC)
    assert t.verdict == "no_match" and not t.copies


def test_a_public_statement_the_document_quotes_is_a_shared_quotation(docs):
    ws, memo, _ = docs
    res = ws.search('At the union meeting a member repeated the line "the tablets only help if people trust '
                    'them" and the room moved on to pay.')
    assert res.verdict == "shared_quotation"
    assert res.sources and not res.sources[0].derived
    assert {p.kind for p in res.sources[0].passages} == {"shared_quotation"}


def test_a_quoted_statement_with_the_same_framing_is_still_a_shared_quotation(ws):
    doc = ws.add_document(text="# Pay talks\n\nThe regional board met on Tuesday. As the minister said at the "
                               "launch, “every depot will keep its own standby crew through the whole of the "
                               "coming winter season.” The board then moved on to the budget for vans.",
                          fmt="md", name="talks.md")
    # the framing words ("as the minister said") match too; a few framing words are not a leak
    res = ws.search("Unions welcomed it. As the minister said, “every depot will keep its own standby crew "
                    "through the whole of the coming winter season.” Few believed it.")
    assert res.verdict == "shared_quotation" and res.sources[0].document["id"] == doc.id
    # copying the document's own sentence around the quotation is a leak
    res = ws.search("A memo says: The regional board met on Tuesday. As the minister said at the launch, "
                    "“every depot will keep its own standby crew through the whole of the coming winter season.”")
    assert res.verdict == "derived"


def test_identifiers_count_as_one_word_in_a_copied_run(ws):
    ws.add_document(text="# Flags\n\nWhen the child class does not include the PY_TPFLAGS_HAVE_GC_SUPPORT flag, "
                         "the interpreter fills in the traverse and clear slots from its parent.", fmt="md",
                    name="flags.md")
    # "does not include the PY_TPFLAGS_HAVE_GC_SUPPORT" is 5 words (9 tokens): same subject, not a copy
    res = ws.search("If the new type does not include the PY_TPFLAGS_HAVE_GC_SUPPORT bit in its flags, it must "
                    "implement the collector protocol itself by providing a traversal function.")
    assert res.verdict != "derived"


def test_versions_are_numbered_and_the_leak_names_the_versions_that_contain_it(ws):
    v1 = ws.add_document(text=MEMO, fmt="md", name="memo.md")
    v2 = ws.add_document(text=MEMO.replace("about six weeks", "about eight weeks"), fmt="md", name="memo-v2.md",
                         version_of=v1.id)
    v3 = ws.add_document(text=MEMO.replace("Nobody will lose", "No one will lose"), fmt="md", name="memo-v3.md",
                         version_of=v2.id)
    assert (v2.version, v2.series, v3.version, v3.series) == (2, v1.id, 3, v1.id)
    assert [d.id for d in ws.versions(v3.id)] == [v1.id, v2.id, v3.id]
    with pytest.raises(NotFoundError):
        ws.add_document(text=MEMO + "\nMore.", fmt="md", version_of="D99")
    base = _base(ws, v2)
    leak = base[base.index("The move should take"):base.index("The move should take") + 220]
    res = ws.search(leak)
    (src,) = res.sources
    # "eight weeks" is only in v2 (v3 was made from v1's text)
    assert src.document["id"] == v2.id
    assert {v["id"]: v["contains"] for v in src.versions} == {v1.id: False, v2.id: True, v3.id: False}
    # a passage that no version changed is in all three
    leak = base[base.index("Each one keeps"):base.index("Each one keeps") + 200]
    (src,) = ws.search(leak).sources
    assert all(v["contains"] for v in src.versions)


def test_sections_from_headings_and_section_copies(ws, tmp_path, people_file):
    ws.import_recipients(people_file)
    doc = ws.add_document(text=MEMO, fmt="md", name="memo.md")
    assert [s.name for s in ws.sections(doc.id)] == ["Preamble", "Why we are doing this", "What changes",
                                                      "Timing and risks"]
    with pytest.raises(InputError, match="no section 'Budget'"):
        ws.mark(doc.id, out_dir=tmp_path / "x", sections="Budget")
    ids = [r.id for r in ws.recipients()]
    ws.mark(doc.id, to=ids[:5], out_dir=tmp_path / "a", sections="Timing and risks")
    ws.mark(doc.id, to=ids[5:10], out_dir=tmp_path / "b", sections="what changes, Why we are doing this")
    ws.mark(doc.id, to=ids[10:12], out_dir=tmp_path / "c")
    copy = (tmp_path / "a" / f"{ids[0]}.md").read_text()
    from leaktrace.text.tokens import strip_invisible
    assert strip_invisible(copy).startswith("## Timing and risks") and "What changes" not in copy
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert manifest["sections"] == ["Why we are doing this", "What changes"]
    from leaktrace.ledger.book import Ledger
    dist = [e for e in Ledger(ws).events(document=1) if e.kind == "distribution"]
    assert {e.recipient: e.details.get("sections") for e in dist}[ids[0]] == ["Timing and risks"]
    # a leak of the timing section: only the copies that had it are in the content exposure
    base = _base(ws, doc)
    leak = base[base.index("The move should take"):base.index("The move should take") + 300]
    res = ws.search(leak)
    held = sorted(e["recipient"] for e in res.sources[0].exposure)
    assert held == sorted(ids[:5] + ids[10:12])
    # the copy itself is still traced to its holder
    t = ws.trace(copy[:900])
    assert [c.recipient for c in t.copies if c.identified] == [ids[0]]
    assert sorted(e["recipient"] for e in t.content_exposure) == sorted(ids[:5] + ids[10:12])


def test_exposure_over_two_sources_needs_both(ws, tmp_path, people_file):
    ws.import_recipients(people_file)
    memo = ws.add_document(text=MEMO, fmt="md", name="memo.md")
    brief = ws.add_document(text=BRIEFING, fmt="md", name="briefing.md")
    ids = [r.id for r in ws.recipients()]
    ws.mark(memo.id, to=ids[:6], out_dir=tmp_path / "m")
    ws.mark(brief.id, to=ids[3:9], out_dir=tmp_path / "b")
    m, b = _base(ws, memo), _base(ws, brief)
    leak = (m[m.index("We're also going"):m.index("We're also going") + 200] + "\n\n"
            + b[b.index("Leads should check"):b.index("Leads should check") + 160])
    res = ws.search(leak)
    assert sorted(e["recipient"] for e in res.exposure) == sorted(ids[3:6])


def test_a_folder_is_registered_in_one_transaction(ws, tmp_path):
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "memo.md").write_text(MEMO)
    (folder / "sub" / "briefing.md").write_text(BRIEFING)
    (folder / ".hidden.md").write_text("secret draft " * 50)
    (folder / "notes.bin").write_bytes(b"\x00\x01")
    from leaktrace.workspace import document_files
    assert [p.name for p in document_files(folder)] == ["memo.md"]
    assert [p.name for p in document_files(folder, recursive=True)] == ["memo.md", "briefing.md"]
    (folder / "sub" / "empty.txt").write_text("")
    with pytest.raises(InputError, match="empty"):
        ws.add_documents({"path": p} for p in document_files(folder, recursive=True))
    assert ws.documents() == []                 # all or nothing
    (folder / "sub" / "empty.txt").unlink()
    seen = []
    docs = ws.add_documents(({"path": p} for p in document_files(folder, recursive=True)), progress=seen.append)
    assert [d.source_name for d in docs] == ["memo.md", "briefing.md"] and seen == [1, 2]
    again = ws.add_documents(({"path": p} for p in document_files(folder, recursive=True)), skip_existing=True)
    assert again == [] and len(ws.documents()) == 2


def test_hostile_text_is_not_read_as_a_search_query(docs):
    ws, _, _ = docs
    for text in ['"unbalanced quote AND OR NOT ( ) * NEAR(x y)', "^^^ -- ** {} [] :: ' \" "]:
        assert ws.search(text).verdict in ("no_match", "topic_only")
