"""The channel interface: every channel finds, writes and reads its sites the same way, and a
channel that reads the rendered page (page images with word boxes) plugs into tracing without
a special case."""

from __future__ import annotations

import numpy as np
import pytest

from leaktrace import pipeline
from leaktrace.marks import channels
from leaktrace.marks.channels import REGISTRY, Evidence, LexicalChannel, Reads
from leaktrace.marks.embed import apply_edits
from leaktrace.marks.sites import Channel
from leaktrace.models import Page, WordBox
from leaktrace.text.align import align
from leaktrace.text.tokens import tokenize

from samples import people_rows

IDS = [r["id"] for r in people_rows(40)]


def test_every_channel_is_registered_once_most_robust_first():
    # the text channels first; the layout channel changes no text, so it yields to all of them
    assert REGISTRY.names() == ("declared", "lexical", "typographic", "invisible", "layout")
    assert {c.value for c in Channel} == set(REGISTRY.names())


def test_a_channel_writes_each_variant_as_edits_of_the_base_text(marked):
    ws, doc = marked
    _, base, sites, code = ws.code(doc.id)
    for impl in REGISTRY.channels:
        site = next(s for s in sites if s.channel == impl.channel)
        if impl.channel == Channel.LAYOUT:
            # a position, not text: every variant reads as the original's words
            assert {apply_edits(base, impl.edits(site, v)) for v in range(site.q)} == {base}
            continue
        for v in range(site.q):
            copy = apply_edits(base, impl.edits(site, v))
            (s, e), = site.spans
            assert copy[s:s + len(site.variants[v][0])] == site.variants[v][0]
        assert apply_edits(base, impl.edits(site, 0)) == base


def test_formats_that_cannot_carry_a_channel_get_the_originals_variant(marked):
    ws, doc = marked
    _, _, sites, code = ws.code(doc.id)
    cw = code.codeword(IDS[0])
    in_pdf = channels.carried(sites, cw, "pdf")
    invisible = np.array([s.channel == Channel.INVISIBLE for s in sites])
    layout = np.array([s.channel == Channel.LAYOUT for s in sites])
    assert layout.any() and not (cw[layout] == 0).all()
    assert (in_pdf[invisible] == 0).all() and (in_pdf[~invisible] == cw[~invisible]).all()
    # only a copy leaktrace lays out carries the layout marks; text formats carry every other one
    for fmt in ("txt", "md", "html", "docx", "eml"):
        in_text = channels.carried(sites, cw, fmt)
        assert (in_text[layout] == 0).all() and (in_text[~layout] == cw[~layout]).all()


def test_each_channel_reads_its_own_sites_and_nothing_else(marked):
    ws, doc = marked
    _, base, sites, code = ws.code(doc.id)
    copy = ws.render_copy(doc.id, IDS[2])
    leak = tokenize(copy)
    index = ws.doc_index(int(doc.id[1:]))
    reads = channels.read(sites, Evidence(index.doc, leak, align(index, leak)))
    cw = code.codeword(IDS[2])
    ok = reads.variant >= 0
    text = np.array([s.channel != Channel.LAYOUT for s in sites])
    assert ok[text].mean() > 0.9 and (reads.variant[ok] == cw[ok]).all()
    assert not ok[~text].any()       # text alone shows no page: the layout sites are not covered
    assert ((reads.confidence > 0) == ok).all()


class PageReader(LexicalChannel):
    """A stand-in for a channel that lives on the rendered page: it reads nothing from text and
    takes each lexical site's variant from a word box labelled `site:variant`."""

    needs = frozenset({"pages"})

    def __init__(self):
        self.seen: list[tuple[Page, ...]] = []

    def read(self, sites, evidence):
        self.seen.append(evidence.pages)
        labels = dict(w.text.split(":") for p in evidence.pages for w in p.words)
        out = Reads.erased(len(sites))
        for k, site in enumerate(sites):
            v = labels.get(f"{site.spans[0][0]}")
            if v is not None:
                out.variant[k], out.confidence[k] = int(v), 0.9
        return out


@pytest.fixture
def page_reader(monkeypatch):
    reader = PageReader()
    monkeypatch.setattr(channels, "REGISTRY", channels.Registry(
        [reader if c.channel == Channel.LEXICAL else c for c in REGISTRY.channels]))
    return reader


def test_a_channel_reading_page_images_plugs_into_tracing(marked, page_reader):
    ws, doc = marked
    _, base, sites, code = ws.code(doc.id)
    rid = IDS[7]
    cw = code.codeword(rid)
    lexical = [i for i, s in enumerate(sites) if s.channel == Channel.LEXICAL]
    # the leak's text: the whole copy with its invisible and typographic marks normalized away,
    # as OCR of a photo would give it
    text = ws.render_copy(doc.id, rid)
    for ch in "\u200b\u200c\u200d\u200e":
        text = text.replace(ch, "")
    page = Page(1, 2480, 3508, tuple(WordBox(f"{sites[i].spans[0][0]}:{int(cw[i])}", 10 * k, 40, 30, 12, 0.9)
                                      for k, i in enumerate(lexical)))
    without = pipeline.run(ws.tracer, pipeline.artifact(text))
    assert without.sites_read.get("lexical", 0) == 0        # no page: the page reader reads nothing
    res = pipeline.run(ws.tracer, pipeline.artifact(text, pages=[page]))
    assert page_reader.seen[-1] == (page,)
    assert res.sites_read["lexical"] == len(lexical)
    assert res.copies[0].recipient == rid
