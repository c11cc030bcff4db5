"""Source search: which registered documents, versions and sections a leak reuses, passage by
passage, even when no mark survives.

Seeding: winnowed fingerprints propose documents that share copied text; the passage index
(BM25) proposes documents that share a passage's distinctive words. Extension: each candidate
is aligned to the leak token by token (copied and lightly edited text), and what is left of
the leak is matched sentence by sentence on content-word stems (paraphrase and summary).
Filtering: passages that are too short, and text inside quotation marks in the source (a
public statement that the document itself quotes), are not evidence of a derived leak.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select

from .. import sections as secmod
from ..marks.sites import Site
from ..models import plain
from ..store import db
from ..text.align import Alignment, DocIndex, align
from ..text.tokens import Tokens, tokenize
from . import fingerprint, passages
from . import index as search_index



class Library(Protocol):
    """What source search needs of a workspace: its database, its folder (the optional
    semantic index lives there), and its documents."""

    engine: Any
    path: Path

    def row(self, doc: int) -> Any: ...

    def doc_index(self, doc: int) -> DocIndex: ...

    def sections(self, doc: int) -> list: ...

    def marked_sites(self, doc: int) -> list[Site] | None: ...

    def holders(self, doc: int) -> list[tuple[str, str, str, str | None]]: ...

MIN_PASSAGE_WORDS = 6     # a copied passage shorter than this is not evidence (tracing uses these too)
MIN_DERIVED_WORDS = 12    # copied words a source needs ...
MIN_EXACT_RUN = 8         # ... with one run of this many words in a row,
MIN_CHAIN_WORDS = 40      # ... or this many in pieces of MIN_CHAIN_PIECE words or more, in the document's order
MIN_CHAIN_PIECE = 5       #     (a heavy paraphrase keeps short phrases, sentence after sentence)
PARA_EXTEND = 0.3         # weighted stem cosine for a reworded sentence next to copied text to join it
PARA_SPREAD = 3           # ... with a document sentence at most this many sentences from the copied text's
PARA_SEED = 0.35          # with nothing copied: a sentence pairing this well seeds a reworded run ...
PARA_PAIR = 0.2           # ... its neighbours join pairing this well with the next document sentences ...
PARA_RUN = 4              # ... and a run of this many different document sentences ...
PARA_MEAN = 0.35          # ... with this mean is a possible paraphrase (never a derived leak on its own)
NEAR_VERBATIM = 0.75      # token similarity from which a passage is near-verbatim rather than reworded
MERGE_GAP = 30            # pieces this many leak words apart or closer ...
MERGE_SKIP = 50           # ... whose document spans are at most this many words further apart are one passage
PARA_MIN_WORDS = 25       # leak words in possible-paraphrase passages a source needs
DERIVED_KINDS = ("verbatim", "near_verbatim", "paraphrase")
MAX_CANDIDATES = 8
WINDOW_SENTENCES = 3
MAX_WINDOWS = 8

_QUOTES = [re.compile(r"\"[^\"\n]{1,2000}\""), re.compile(r"“[^”\n]{1,2000}”"), re.compile(r"«[^»\n]{1,2000}»")]
_SUFFIXES = ("ational", "ization", "fulness", "ousness", "iveness", "ments", "ement", "ation", "ities",
             "ings", "ness", "ment", "able", "ible", "ing", "ies", "ied", "ers", "est", "ed", "es", "er",
             "ly", "s")


def stem(word: str) -> str:
    for suf in _SUFFIXES:
        if word.endswith(suf) and len(word) - len(suf) >= 4:
            return word[: -len(suf)]
    return word


class Weights:
    """Inverse document frequency of words over the passage index, per stem: words that many
    passages share (boilerplate, the topic's vocabulary) weigh little, rare ones much."""

    def __init__(self, df: dict[str, int], total: int):
        self.df, self.total = df, total

    def idf(self, word: str) -> float:
        if not self.total:
            return 1.0
        return math.log((self.total + 1) / (self.df.get(word, 0) + 1))

    def vector(self, text: str) -> dict[str, float]:
        out: dict[str, float] = {}
        for w, st in _stemmed(text):
            out[st] = max(out.get(st, 0.0), self.idf(w))
        return out


@lru_cache(maxsize=8192)
def _stemmed(sentence: str) -> tuple[tuple[str, str], ...]:
    """Content words of a sentence with their stems; the same document sentences are compared
    with every leak that reaches their document, so they are cut and stemmed once."""
    return tuple((w, stem(w)) for w in passages.content_words(sentence))


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b[k] for k, v in a.items() if k in b)
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0


@dataclass(frozen=True)
class ReusedPassage:
    leak_start: int
    leak_end: int
    doc_start: int
    doc_end: int
    kind: str            # verbatim | near_verbatim | paraphrase | shared_quotation
    similarity: float    # 0..1: characters in common for copied text, stem overlap for paraphrase
    section: str | None
    leak_text: str
    doc_text: str


@dataclass
class SourceMatch:
    document: dict                 # id, title, series, version
    derived: bool                  # False when the only reuse is a quotation the source itself quotes
    words: int                     # leak words in the passages
    similarity: float              # share of the leak's words in these passages
    identical: int                 # leak tokens aligned to identical document tokens (ranks versions)
    passages: list[ReusedPassage] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    versions: list[dict] = field(default_factory=list)    # every version: id, version, contains
    exposure: list[dict] = field(default_factory=list)    # copies that contained all of it


@dataclass
class SearchResult:
    verdict: str                   # derived | shared_quotation | topic_only | no_match
    summary: str
    leak_words: int
    sources: list[SourceMatch] = field(default_factory=list)
    topic: list[dict] = field(default_factory=list)       # documents on the same topic, no passage reused
    exposure: list[dict] = field(default_factory=list)    # recipients whose copies held all derived content
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return plain(self)


def search(lib: Library, text: str) -> SearchResult:
    return find_sources(lib, text)[0]


def find_sources(lib: Library, text: str, leak: Tokens | None = None) -> tuple[SearchResult, dict[int, Alignment]]:
    """The search result, and the token alignment of the leak to every candidate document, as
    extension computed it (tracing reads the marks through these, never aligning twice)."""
    leak = leak if leak is not None else tokenize(text)
    aligned: dict[int, Alignment] = {}
    leak_words = sum(1 for s in leak.skel if s[0].isalnum())
    hashes = fingerprint.fingerprints(fingerprint.word_skeletons(leak.skel))
    leak_sents = list(passages.sentences(text))
    result = SearchResult("no_match", "", leak_words)
    with lib.engine.connect() as conn:
        fp = search_index.candidates(conn, hashes, limit=MAX_CANDIDATES)
        have_fts = passages.available(conn)
        weights = Weights(*passages.document_frequencies(conn, passages.content_words(text)))
    # copied text first: fingerprint candidates, aligned token by token
    found = [m for m in (_match(lib, d, text, leak, leak_sents, weights, aligned=aligned) for d, _ in fp) if m is not None]
    copied = [(p.leak_start, p.leak_end) for m in found for p in m.passages if p.kind in DERIVED_KINDS]
    # then what copying does not explain: the passage index, on the leak's remaining sentences
    rest = [(a, b) for a, b in leak_sents if not any(a < e and b > s for s, e in copied)]
    bm25: dict[int, float] = {}
    semantic_hits: dict = {}
    reworded = sum(len(text[a:b].split()) for a, b in rest) >= PARA_MIN_WORDS // 2
    if reworded:
        spans = [(rest[i][0], rest[min(i + WINDOW_SENTENCES, len(rest)) - 1][1])
                 for i in range(0, len(rest), WINDOW_SENTENCES)][:MAX_WINDOWS]
        windows = [text[a:b] for a, b in spans]
        if have_fts:
            with lib.engine.connect() as conn:
                bm25 = passages.candidates(conn, windows)
        else:
            result.notes.append("this database has no passage index: paraphrase search by words is off")
        semantic_hits = _semantic(lib, spans, windows, result.notes)
        for hits in semantic_hits.values():
            for h in hits:
                bm25.setdefault(h.doc, 0.0)
        done = {d for d, _ in fp}
        ranked = [d for d, _ in sorted(bm25.items(), key=lambda kv: -kv[1])]
        ranked = list(dict.fromkeys([h.doc for hs in semantic_hits.values() for h in hs] + ranked))
        more = [d for d in ranked if d not in done][:MAX_CANDIDATES]
        found += [m for m in (_match(lib, d, text, leak, leak_sents, weights, semantic_hits, aligned) for d in more)
                  if m is not None]
    # derived sources first (copied text, and reworded text around it), then by leak words covered
    found.sort(key=lambda m: (not m.derived, -m.words, -m.identical, -(m.document["version"] or 0)))
    covered: list[tuple[int, int]] = []
    for m in _one_per_series(found):
        new = _new_words(text, m.passages, covered)
        need = MIN_DERIVED_WORDS if m.derived else MIN_PASSAGE_WORDS
        if new >= max(need, 0.5 * _words_in(text, m.passages)):
            result.sources.append(m)
            covered.extend((p.leak_start, p.leak_end) for p in m.passages)
    hits = semantic_hits if reworded else {}
    for m in result.sources:
        _complete(lib, m, text, leak, weights, hits)
    taken = {m.document["id"] for m in result.sources}
    result.topic = [{"id": f"D{d}", "bm25": round(s, 2)} for d, s in sorted(bm25.items(), key=lambda kv: -kv[1])
                    if f"D{d}" not in taken][:5]
    derived = [m for m in result.sources if m.derived]
    if derived:
        result.verdict = "derived"
        result.exposure = _everyone(derived)
        names = "; ".join(f"{m.document['id']} “{m.document['title']}” ({m.words} words, "
                          f"{', '.join(sorted({p.kind for p in m.passages}))})" for m in derived)
        result.summary = f"The text reuses {len(derived)} registered document(s): {names}."
    elif any(p.kind == "possible_paraphrase" for m in result.sources for p in m.passages):
        result.verdict = "possible_paraphrase"
        best = next(m for m in result.sources if any(p.kind == "possible_paraphrase" for p in m.passages))
        result.summary = (f"No passage is copied, but {best.words} words read like a rewording of "
                          f"{best.document['id']} “{best.document['title']}”: sentence after sentence pairs "
                          "with its sentences in order. Words alone cannot tell a paraphrase from an "
                          "independent text on the same facts, so this is a lead, not evidence of a leak.")
    elif result.sources:
        result.verdict = "shared_quotation"
        result.summary = ("The text shares only quotations with registered documents (a public statement "
                          "they quote too); that is not evidence of a leak.")
    elif result.topic:
        result.verdict = "topic_only"
        result.summary = ("The text shares words with registered documents but reuses no passage of them: "
                          "same topic, not a derived leak.")
    else:
        result.summary = "The text does not reuse any registered document."
    return result, aligned


def _semantic(lib: Library, spans, windows, notes: list[str]) -> dict:
    """Leak windows (by span) paired with passages whose embeddings are close, when the optional
    semantic index is there; otherwise a note says what is missing."""
    from . import semantic

    problem = semantic.missing()
    index = semantic.SemanticIndex(lib.path, lib.engine)
    if problem:
        notes.append(problem.replace("semantic search needs", "semantic search is off; it needs"))
        return {}
    if not index.exists():
        notes.append("semantic search is off: no semantic index yet (run `leaktrace semantic build`)")
        return {}
    return dict(zip(spans, index.query(windows, k=5)))


def _match(lib: Library, doc: int, text: str, leak, leak_sents, weights: Weights | None = None,
           semantic_hits: dict | None = None, aligned: dict[int, Alignment] | None = None) -> SourceMatch | None:
    row = lib.row(doc)
    if getattr(row, "archived_at", None):
        return None          # `doc remove`: no longer a source of leaks
    base = row.base
    al = align(lib.doc_index(doc), leak)
    if aligned is not None:
        aligned[doc] = al
    quotes = _quotation_spans(base)
    copied = [p for p in al.passages if p.words >= MIN_PASSAGE_WORDS]
    # text the document itself quotes (a public statement) is named as such, and never grows
    # into, or counts towards, a derived passage
    dtoks = lib.doc_index(doc).doc
    own = [p for p in copied if not _quoted(quotes, dtoks, al.doc_to_leak, p.doc_start, p.doc_end)]
    quoted = [_Piece(p.leak_start, p.leak_end, p.doc_start, p.doc_end, 1.0, "copied") for p in copied if p not in own]
    strong = ((any(_longest_run(base, dtoks, al.doc_to_leak, p) >= MIN_EXACT_RUN for p in own)
               and sum(len(text[p.leak_start:p.leak_end].split()) for p in own) >= MIN_DERIVED_WORDS)
              or _chain_words(text, [p for p in al.passages if p in own or p not in copied]) >= MIN_CHAIN_WORDS)
    seeds = [_Piece(p.leak_start, p.leak_end, p.doc_start, p.doc_end, 1.0, "copied") for p in own] if strong else []
    doc_sents = list(passages.sentences(base))
    pairs = _pairs(text, base, leak_sents, doc_sents, seeds + quoted, weights or Weights({}, 0))
    pieces = seeds + _extend(leak_sents, doc_sents, seeds, pairs)
    pieces += _runs(leak_sents, doc_sents, pieces + quoted, pairs)
    from .semantic import MATCH

    for (la, lb), hits in (semantic_hits or {}).items():
        for h in hits:
            if h.doc == doc and h.similarity >= MATCH and not _covered(pieces + quoted, la, lb):
                pieces.append(_Piece(la, lb, h.start, h.end, h.similarity, "semantic"))
    masked = _site_tokens(lib, doc) if strong else frozenset()
    # a reworded sentence joins copied text only when it ends up in the same passage
    groups = [g for g in _merge(text, base, pieces) if {q.origin for q in g} != {"extension"}]
    groups += [[q] for q in quoted]
    out = [_passage(text, base, g, al, dtoks, leak, quotes, masked) for g in groups]
    possible = sum(len(p.leak_text.split()) for p in out if p.kind == "possible_paraphrase")
    if possible < PARA_MIN_WORDS:
        out = [p for p in out if p.kind != "possible_paraphrase"]
    if not out:
        return None
    out.sort(key=lambda p: p.leak_start)
    words = _words_in(text, out)
    derived = any(p.kind in DERIVED_KINDS for p in out)
    return SourceMatch({"id": f"D{doc}", "title": row.title, "series": f"D{row.series or doc}",
                        "version": row.version}, derived, words,
                       round(words / max(1, len(text.split())), 3), int(al.matched), out)


def _site_tokens(lib: Library, doc: int) -> frozenset[int]:
    """Document tokens inside mark sites, for a document that has been marked: a copy differs
    from the original there by design, which is not an edit by the leaker."""
    sites = lib.marked_sites(doc)
    if sites is None:
        return frozenset()
    out = set()
    for site in sites:
        for a, b in site.windows:
            out.update(range(a - 1, b + 1))
    return frozenset(out)


def _token_similarity(al, dtoks, leak, leak_start: int, leak_end: int, doc_start: int, doc_end: int,
                      masked: frozenset[int]) -> float:
    """Share of the passage's tokens copied unchanged: document tokens left unaligned and leak
    tokens inserted count as edits, except at the document's mark sites."""
    d0, d1 = dtoks.index_at(doc_start), dtoks.index_at(max(doc_start, doc_end - 1)) + 1
    l0, l1 = leak.index_at(leak_start), leak.index_at(max(leak_start, leak_end - 1)) + 1
    aligned = {int(al.doc_to_leak[i]): i for i in range(d0, d1) if al.doc_to_leak[i] >= 0}
    edits = sum(1 for i in range(d0, d1) if al.doc_to_leak[i] < 0 and i not in masked)
    last_doc = d0 - 1
    for j in range(l0, l1):
        if j in aligned:
            last_doc = aligned[j]
        elif last_doc not in masked and last_doc + 1 not in masked:
            edits += 1
    total = max(1, (d1 - d0) + (l1 - l0))
    return round(1.0 - min(1.0, 2 * edits / total), 3)


@dataclass(frozen=True)
class _Piece:
    """A piece of evidence before merging: copied text, a reworded sentence next to copied text
    (extension), or a sentence of a reworded run or a semantic hit with nothing copied."""
    leak_start: int
    leak_end: int
    doc_start: int
    doc_end: int
    sim: float
    origin: str          # copied | extension | run | semantic


def _pairs(text: str, base: str, leak_sents, doc_sents, seeds, weights: Weights) -> dict[int, list[float]]:
    """For every leak sentence that copied text does not already cover, its weighted stem cosine
    with every document sentence (a sentence with fewer than three content words pairs with nothing)."""
    if not doc_sents:
        return {}
    dvecs = [weights.vector(base[a:b]) for a, b in doc_sents]
    out = {}
    for i, (a, b) in enumerate(leak_sents):
        if _covered(seeds, a, b):
            continue
        v = weights.vector(text[a:b])
        if len(v) >= 3:
            out[i] = [cosine(v, d) for d in dvecs]
    return out


def _covered(seeds, a: int, b: int) -> bool:
    return any(s.leak_start < b and s.leak_end > a for s in seeds)


def _sentence_at(doc_sents, offset: int) -> int:
    """Index of the document sentence holding (or following) a character offset."""
    for j, (a, b) in enumerate(doc_sents):
        if offset < b:
            return j
    return len(doc_sents) - 1


def _extend(leak_sents, doc_sents, seeds, pairs) -> list[_Piece]:
    """Extension (PAN): the reworded sentences next to copied text join it when they pair with a
    document sentence near the copied text's by PARA_EXTEND or more."""
    if not seeds:
        return []
    anchor: dict[int, tuple[int, int]] = {}      # leak sentence -> document sentences (first, last)
    for i, (a, b) in enumerate(leak_sents):
        hit = [s for s in seeds if s.leak_start < b and s.leak_end > a]
        if hit:
            anchor[i] = (_sentence_at(doc_sents, min(s.doc_start for s in hit)),
                         _sentence_at(doc_sents, max(s.doc_end for s in hit) - 1))
    out = []
    for order in (range(len(leak_sents)), range(len(leak_sents) - 1, -1, -1)):
        for i in order:
            step = 1 if order.step == 1 else -1
            prev = i - step
            if i in anchor or prev not in anchor or i not in pairs:
                continue
            at = anchor[prev][1] if step == 1 else anchor[prev][0]
            lo, hi = max(0, at - PARA_SPREAD), min(len(doc_sents), at + PARA_SPREAD + 1)
            j = max(range(lo, hi), key=pairs[i].__getitem__)
            if pairs[i][j] >= PARA_EXTEND:
                anchor[i] = (j, j)
                out.append(_Piece(*leak_sents[i], *doc_sents[j], pairs[i][j], "extension"))
    return out


def _runs(leak_sents, doc_sents, pieces, pairs) -> list[_Piece]:
    """Reworded passages with no copied text: seed-and-extend on sentences. A leak sentence
    pairing with a document sentence by PARA_SEED seeds a run; its neighbours join while each
    pairs (PARA_PAIR) with a document sentence just after (or, for a swap, just before) the
    previous one. A run needs PARA_RUN different document sentences in that order and a mean of
    PARA_MEAN: one sentence, or several that all echo one document sentence, is what two texts
    on the same subject share. Even then it is only a possible paraphrase (see module notes)."""
    free = {i: row for i, row in pairs.items() if not _covered(pieces, *leak_sents[i])}
    best = {i: max(range(len(row)), key=row.__getitem__) for i, row in free.items()}
    used: set[int] = set()
    out: list[_Piece] = []
    for i in sorted(free, key=lambda k: -free[k][best[k]]):
        if i in used or free[i][best[i]] < PARA_SEED:
            continue
        run = {i: best[i]}
        for step in (1, -1):
            k, at = i + step, best[i]
            while k in free and k not in used:
                lo, hi = (at - 1, at + 3) if step == 1 else (at - 3, at + 1)
                near = [j for j in range(max(0, lo), min(len(doc_sents), hi + 1)) if j != at]
                j = max(near, key=free[k].__getitem__, default=None)
                if j is None or free[k][j] < PARA_PAIR:
                    break
                run[k] = j
                at, k = j, k + step
        mean = sum(free[k][j] for k, j in run.items()) / len(run)
        if len(set(run.values())) >= PARA_RUN and mean >= PARA_MEAN:
            used.update(run)
            out.extend(_Piece(*leak_sents[k], *doc_sents[j], free[k][j], "run") for k, j in run.items())
    return out


def _merge(text: str, base: str, pieces: list[_Piece]) -> list[list[_Piece]]:
    """Pieces at most MERGE_GAP words apart in the leak make one passage when their document
    spans are about as close (MERGE_SKIP words more, either way: a paraphrase drops clauses
    and swaps neighbouring sentences), as one reused passage should be reported once. Sentences
    picked from further apart (a summary) stay separate passages. Groups are merged again
    until none is left to merge, so a swap does not cut a passage in two."""

    def near(g: list[_Piece], h: list[_Piece]) -> bool:
        lend = max(q.leak_end for q in g)
        lstart = min(q.leak_start for q in h)
        d0, d1 = min(q.doc_start for q in g), max(q.doc_end for q in g)
        e0, e1 = min(q.doc_start for q in h), max(q.doc_end for q in h)
        gap = len(text[lend:lstart].split()) if lstart > lend else 0
        skip = (len(base[d1:e0].split()) if e0 > d1 else len(base[e1:d0].split()) if e1 < d0 else 0)
        return gap <= MERGE_GAP and skip <= gap + MERGE_SKIP

    groups = [[p] for p in sorted(pieces, key=lambda p: (p.leak_start, p.leak_end))]
    merged = True
    while merged and len(groups) > 1:
        merged, out = False, [groups[0]]
        for g in groups[1:]:
            if near(out[-1], g):
                out[-1] = out[-1] + g
                merged = True
            else:
                out.append(g)
        groups = out
    return groups


def _passage(text: str, base: str, group: list[_Piece], al, dtoks, leak, quotes,
             masked: frozenset[int]) -> ReusedPassage:
    """One reported passage from merged pieces: copied or near-verbatim when the tokens say so,
    reworded when words were replaced or sentences only pair by their stems."""
    la, lb = min(p.leak_start for p in group), max(p.leak_end for p in group)
    da, db_ = min(p.doc_start for p in group), max(p.doc_end for p in group)
    copied = any(p.origin == "copied" for p in group)
    if copied:
        sim = _token_similarity(al, dtoks, leak, la, lb, da, db_, masked)
        kind = "verbatim" if sim == 1.0 else "near_verbatim" if sim >= NEAR_VERBATIM else "paraphrase"
        if kind == "paraphrase":
            sim = _tokens_in_common(al, dtoks, leak, la, lb, da, db_)
    else:
        sim = round(sum(p.sim for p in group) / len(group), 3)
        kind = "paraphrase" if any(p.origin == "extension" for p in group) else "possible_paraphrase"
    # copied text: a quotation when few copied words lie outside the quotation marks; reworded
    # text: when most of its document span does
    if (_quoted(quotes, dtoks, al.doc_to_leak, da, db_) if copied
            else sum(max(0, min(db_, e) - max(da, s)) for s, e in quotes) >= 0.8 * (db_ - da)):
        kind = "shared_quotation"
    return ReusedPassage(la, lb, da, db_, kind, sim, None, text[la:lb], base[da:db_])


def _chain_words(text: str, aligned) -> int:
    """Most leak words in aligned pieces of MIN_CHAIN_PIECE words or more that follow each other
    in the same order in the leak and in the document (a longest increasing chain)."""
    pieces = sorted(((p.leak_start, p.doc_start, len(text[p.leak_start:p.leak_end].split())) for p in aligned),
                    key=lambda x: x[0])
    pieces = [x for x in pieces if x[2] >= MIN_CHAIN_PIECE]
    best: list[int] = []
    for i, (_, d, n) in enumerate(pieces):
        best.append(n + max((best[j] for j in range(i) if pieces[j][1] < d), default=0))
    return max(best, default=0)


def _longest_run(base: str, dtoks, d2l, p) -> int:
    """Most words copied in a row in an aligned passage, words counted as the text spaces them
    (an identifier such as Py_TPFLAGS_HAVE_GC is one word, not four tokens)."""
    d0, d1 = dtoks.index_at(p.doc_start), dtoks.index_at(max(p.doc_start, p.doc_end - 1)) + 1
    best = run = 0
    last = None                       # end of the previous word of the run
    for i in range(d0, d1):
        if d2l[i] < 0 or not (i > d0 and d2l[i - 1] >= 0 and d2l[i] == d2l[i - 1] + 1):
            run, last = 0, None
            if d2l[i] < 0:
                continue
        if dtoks.is_word(i):
            if last is None or any(ch.isspace() for ch in base[last:dtoks.starts[i]]):
                run += 1
            last = dtoks.ends[i]
            best = max(best, run)
    return best


def _tokens_in_common(al, dtoks, leak, leak_start: int, leak_end: int, doc_start: int, doc_end: int) -> float:
    """Share of a reworded passage's tokens (leak and document side together) that the words it
    keeps account for: 2 x aligned / (leak tokens + document tokens)."""
    d0, d1 = dtoks.index_at(doc_start), dtoks.index_at(max(doc_start, doc_end - 1)) + 1
    l0, l1 = leak.index_at(leak_start), leak.index_at(max(leak_start, leak_end - 1)) + 1
    aligned = sum(1 for i in range(d0, d1) if l0 <= al.doc_to_leak[i] < l1)
    return round(2 * aligned / max(1, (d1 - d0) + (l1 - l0)), 3)


def _one_per_series(found: Sequence[SourceMatch]) -> list[SourceMatch]:
    """The best-matching version of each series (the others are reported as versions of it)."""
    seen, out = set(), []
    for m in found:
        if m.document["series"] not in seen:
            seen.add(m.document["series"])
            out.append(m)
    return out


def _complete(lib: Library, m: SourceMatch, text: str, leak, weights: Weights, semantic_hits: dict) -> None:
    """Sections, versions and content exposure of a source."""
    doc = int(m.document["id"][1:])
    secs = lib.sections(doc)
    spans = [(p.doc_start, p.doc_end) for p in m.passages if p.kind != "shared_quotation"]
    touched = secmod.touched(secs, spans) if len(secs) > 1 else []
    m.sections = [s.name for s in touched]
    m.passages = [_with_section(p, secs) for p in m.passages]
    m.versions = _versions(lib, m, text, leak, weights, semantic_hits)
    containing = [int(v["id"][1:]) for v in m.versions if v["contains"]] or [doc]
    m.exposure = _exposure(lib, containing, set(m.sections))


def _with_section(p: ReusedPassage, secs) -> ReusedPassage:
    hit = secmod.touched(secs, [(p.doc_start, p.doc_end)]) if len(secs) > 1 else []
    if not hit:
        return p
    from dataclasses import replace

    return replace(p, section=", ".join(s.name for s in hit))


def _versions(lib: Library, m: SourceMatch, text: str, leak, weights: Weights, semantic_hits: dict
              ) -> list[dict]:
    """Every version of the source's series, and whether it contains the leaked content: as
    many leak words in its passages and as many identical tokens as the best version (a
    version that changed a leaked date or name aligns one token less)."""
    series = int(m.document["series"][1:])
    with lib.engine.connect() as conn:
        rows = conn.execute(select(db.documents.c.id, db.documents.c.version)
                            .where(db.documents.c.series == series).order_by(db.documents.c.version)).all()
    if len(rows) <= 1:
        return [{"id": m.document["id"], "version": m.document["version"] or 1, "contains": True}]
    best = m.words
    out = []
    for doc, version in rows:
        if f"D{doc}" == m.document["id"]:
            out.append({"id": f"D{doc}", "version": version, "contains": True})
            continue
        other = _match(lib, doc, text, leak, list(passages.sentences(text)), weights, semantic_hits)
        contains = other is not None and other.words >= best and other.identical >= m.identical
        out.append({"id": f"D{doc}", "version": version, "contains": contains})
    return out


def _exposure(lib: Library, docs: Sequence[int], needed: set[str]) -> list[dict]:
    """Copies of the given versions whose sections include every needed section."""
    rows = [(doc, *h) for doc in docs for h in lib.holders(doc)]     # each in recipient order
    if len(docs) > 1:
        rows.sort(key=lambda r: r[1])
    out = []
    for doc, rid, name, cid, secs in rows:
        held = None if secs is None else set(json.loads(secs))
        if held is None or needed <= held:
            out.append({"recipient": rid, "name": name, "copy": cid, "document": f"D{doc}",
                        "sections": None if held is None else sorted(held)})
    return out


def _everyone(sources: Sequence[SourceMatch]) -> list[dict]:
    """Recipients whose copies held every derived source's content."""
    sets = [{e["recipient"]: e for e in m.exposure} for m in sources]
    common = set(sets[0]).intersection(*sets[1:]) if sets else set()
    return [{"recipient": r, "name": sets[0][r]["name"],
             "copies": [{"document": s[r]["document"], "copy": s[r]["copy"]} for s in sets]}
            for r in sorted(common)]


def _quotation_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for q in _QUOTES for m in q.finditer(text)]


def _quoted(spans: Sequence[tuple[int, int]], dtoks, d2l, a: int, b: int) -> bool:
    """[a, b) of the document is a quotation it makes: it overlaps quotation marks, and fewer
    than MIN_PASSAGE_WORDS of the words copied from it lie outside them (the framing, "as the
    minister said")."""
    inner = [(s, e) for s, e in spans if s < b and e > a]
    if not inner:
        return False
    d0, d1 = dtoks.index_at(a), dtoks.index_at(max(a, b - 1)) + 1
    outside = sum(1 for i in range(d0, d1) if d2l[i] >= 0 and dtoks.is_word(i)
                  and not any(s <= dtoks.starts[i] < e for s, e in inner))
    return outside < MIN_PASSAGE_WORDS


def _words_in(text: str, ps: Sequence[ReusedPassage]) -> int:
    return sum(len(text[p.leak_start:p.leak_end].split()) for p in ps)


def _new_words(text: str, ps: Sequence[ReusedPassage], covered: Sequence[tuple[int, int]]) -> int:
    n = 0
    for p in ps:
        for m in re.finditer(r"\S+", text[p.leak_start:p.leak_end]):
            a = p.leak_start + m.start()
            if not any(s <= a < e for s, e in covered):
                n += 1
    return n
