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
from typing import TYPE_CHECKING

from sqlalchemy import select

from .. import sections as secmod
from ..store import db
from ..text.align import align
from ..text.tokens import tokenize
from . import fingerprint, passages
from . import index as search_index

if TYPE_CHECKING:
    from ..workspace import Workspace

MIN_PASSAGE_WORDS = 6     # a copied passage shorter than this is not evidence (same as tracing)
MIN_DERIVED_WORDS = 12    # copied words a source needs ...
MIN_EXACT_RUN = 8         # ... with one run of this many words in a row
PARA_SEED = 0.4           # weighted stem cosine of a leak sentence and a document sentence to pair them
PARA_EXTEND = 0.2         # ... and its neighbours join it with this much
PARA_MEAN = 0.35          # a paraphrase passage of several sentences needs this mean
PARA_SINGLE = 0.65        # a lone paired sentence needs this much
PARA_SPREAD = 6           # paired document sentences further apart than this start a new passage
PARA_MIN_WORDS = 25       # leak words in paraphrase passages a source needs
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
        for w in passages.content_words(text):
            st = stem(w)
            out[st] = max(out.get(st, 0.0), self.idf(w))
        return out


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
        from dataclasses import asdict

        return asdict(self)


def search(ws: "Workspace", text: str) -> SearchResult:
    leak = tokenize(text)
    leak_words = sum(1 for s in leak.skel if s[0].isalnum())
    hashes = fingerprint.fingerprints(fingerprint.word_skeletons(leak.skel))
    leak_sents = list(passages.sentences(text))
    result = SearchResult("no_match", "", leak_words)
    with ws.engine.connect() as conn:
        fp = search_index.candidates(conn, hashes, limit=MAX_CANDIDATES)
        have_fts = passages.available(conn)
        weights = Weights(*passages.document_frequencies(conn, passages.content_words(text)))
    # copied text first: fingerprint candidates, aligned token by token
    found = [m for m in (_match(ws, d, text, leak, leak_sents, weights) for d, _ in fp) if m is not None]
    copied = [(p.leak_start, p.leak_end) for m in found for p in m.passages if p.kind != "paraphrase"]
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
            with ws.engine.connect() as conn:
                bm25 = passages.candidates(conn, windows)
        else:
            result.notes.append("this database has no passage index: paraphrase search by words is off")
        semantic_hits = _semantic(ws, spans, windows, result.notes)
        for hits in semantic_hits.values():
            for h in hits:
                bm25.setdefault(h.doc, 0.0)
        done = {d for d, _ in fp}
        ranked = [d for d, _ in sorted(bm25.items(), key=lambda kv: -kv[1])]
        ranked = list(dict.fromkeys([h.doc for hs in semantic_hits.values() for h in hs] + ranked))
        more = [d for d in ranked if d not in done][:MAX_CANDIDATES]
        found += [m for m in (_match(ws, d, text, leak, leak_sents, weights, semantic_hits) for d in more)
                  if m is not None]
    found.sort(key=lambda m: (-m.words, -m.identical, -(m.document["version"] or 0)))
    covered: list[tuple[int, int]] = []
    for m in _one_per_series(found):
        new = _new_words(text, m.passages, covered)
        need = MIN_DERIVED_WORDS if m.derived else MIN_PASSAGE_WORDS
        if new >= max(need, 0.5 * _words_in(text, m.passages)):
            result.sources.append(m)
            covered.extend((p.leak_start, p.leak_end) for p in m.passages)
    hits = semantic_hits if reworded else {}
    for m in result.sources:
        _complete(ws, m, text, leak, weights, hits)
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
    return result


def _semantic(ws: "Workspace", spans, windows, notes: list[str]) -> dict:
    """Leak windows (by span) paired with passages whose embeddings are close, when the optional
    semantic index is there; otherwise a note says what is missing."""
    from . import semantic

    problem = semantic.missing()
    index = semantic.SemanticIndex(ws.path, ws.engine)
    if problem:
        notes.append(problem.replace("semantic search needs", "semantic search is off; it needs"))
        return {}
    if not index.exists():
        notes.append("semantic search is off: no semantic index yet (run `leaktrace semantic build`)")
        return {}
    return dict(zip(spans, index.query(windows, k=5)))


def _match(ws: "Workspace", doc: int, text: str, leak, leak_sents, weights: Weights | None = None,
           semantic_hits: dict | None = None) -> SourceMatch | None:
    row = ws._doc_row(doc)
    base = row.base
    al = align(ws.doc_index(doc), leak)
    copied = [p for p in al.passages if p.words >= MIN_PASSAGE_WORDS]
    strong = any(p.longest_run >= MIN_EXACT_RUN for p in copied) and sum(p.words for p in copied) >= MIN_DERIVED_WORDS
    quotes = _quotation_spans(base)
    out: list[ReusedPassage] = []
    if strong:
        dtoks = ws.doc_index(doc).doc
        masked = _site_tokens(ws, doc)
        for p in copied:
            lt, dt = text[p.leak_start:p.leak_end], base[p.doc_start:p.doc_end]
            sim = _token_similarity(al, dtoks, leak, p, masked)
            kind = "verbatim" if sim == 1.0 else "near_verbatim"
            if _inside(quotes, p.doc_start, p.doc_end):
                kind = "shared_quotation"
            out.append(ReusedPassage(p.leak_start, p.leak_end, p.doc_start, p.doc_end, kind, round(sim, 3), None,
                                     lt, dt))
    else:
        # too little copied text to call the leak derived; but a public statement that the
        # document quotes is worth naming as what it is
        for p in copied:
            if _inside(quotes, p.doc_start, p.doc_end):
                out.append(ReusedPassage(p.leak_start, p.leak_end, p.doc_start, p.doc_end, "shared_quotation",
                                         1.0, None, text[p.leak_start:p.leak_end], base[p.doc_start:p.doc_end]))
    taken = [(p.leak_start, p.leak_end) for p in out]
    out.extend(_paraphrases(text, base, leak_sents, taken, quotes, weights or Weights({}, 0)))
    from .semantic import MATCH

    for (la, lb), hits in (semantic_hits or {}).items():
        for h in hits:
            if h.doc == doc and h.similarity >= MATCH and not any(la < p.leak_end and lb > p.leak_start for p in out):
                kind = "shared_quotation" if _inside(quotes, h.start, h.end) else "paraphrase"
                out.append(ReusedPassage(la, lb, h.start, h.end, kind, h.similarity, None, text[la:lb],
                                         base[h.start:h.end]))
    if not out:
        return None
    para_words = sum(len(p.leak_text.split()) for p in out if p.kind == "paraphrase")
    if not strong and para_words < PARA_MIN_WORDS:
        out = [p for p in out if p.kind == "shared_quotation"]
        if not out:
            return None
    out.sort(key=lambda p: p.leak_start)
    words = _words_in(text, out)
    derived = any(p.kind != "shared_quotation" for p in out)
    return SourceMatch({"id": f"D{doc}", "title": row.title, "series": f"D{row.series or doc}",
                        "version": row.version}, derived, words,
                       round(words / max(1, len(text.split())), 3), int(al.matched), out)


def _site_tokens(ws: "Workspace", doc: int) -> frozenset[int]:
    """Document tokens inside mark sites, for a document that has been marked: a copy differs
    from the original there by design, which is not an edit by the leaker."""
    with ws.engine.connect() as conn:
        marked = conn.execute(select(db.codes.c.doc).where(db.codes.c.doc == doc)).first() is not None
    if not marked:
        return frozenset()
    _, _, sites, _ = ws.code(doc)
    out = set()
    for site in sites:
        for a, b in site.windows:
            out.update(range(a - 1, b + 1))
    return frozenset(out)


def _token_similarity(al, dtoks, leak, p, masked: frozenset[int]) -> float:
    """Share of the passage's tokens copied unchanged: document tokens left unaligned and leak
    tokens inserted count as edits, except at the document's mark sites."""
    d0, d1 = dtoks.index_at(p.doc_start), dtoks.index_at(max(p.doc_start, p.doc_end - 1)) + 1
    l0, l1 = leak.index_at(p.leak_start), leak.index_at(max(p.leak_start, p.leak_end - 1)) + 1
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


def _paraphrases(text: str, base: str, leak_sents, taken, quotes, weights: Weights) -> list[ReusedPassage]:
    """Reworded passages, found as PAN-style seeds and extensions on sentences.

    Seed: a leak sentence (outside copied passages) whose content-word stems, weighted by
    rarity, overlap a document sentence by PARA_SEED or more. Extension: the leak sentences
    next to a seed join it when they overlap a document sentence near the seed's by
    PARA_EXTEND or more (a paraphrase keeps the order of ideas roughly, not the words).
    Filter: a passage of several sentences needs a mean of PARA_MEAN, a lone sentence PARA_SINGLE."""
    doc_sents = [(a, b, weights.vector(base[a:b])) for a, b in passages.sentences(base)]
    if not doc_sents:
        return []
    free = [(a, b) for a, b in leak_sents if not any(a < e and b > s for s, e in taken)]
    vecs = [weights.vector(text[a:b]) for a, b in free]
    best = []
    for v in vecs:
        sims = [cosine(v, d[2]) if len(v) >= 3 else 0.0 for d in doc_sents]
        j = max(range(len(sims)), key=sims.__getitem__)
        best.append((j, sims[j]))
    used = [False] * len(free)
    out = []
    for i in sorted(range(len(free)), key=lambda k: -best[k][1]):
        if used[i] or best[i][1] < PARA_SEED:
            continue
        run = {i: best[i]}
        for step in (-1, 1):
            k, anchor = i + step, best[i][0]
            while 0 <= k < len(free) and not used[k]:
                lo, hi = max(0, anchor - PARA_SPREAD), min(len(doc_sents), anchor + PARA_SPREAD + 1)
                j = max(range(lo, hi), key=lambda x: cosine(vecs[k], doc_sents[x][2]))
                sim = cosine(vecs[k], doc_sents[j][2])
                if sim < PARA_EXTEND:
                    break
                run[k] = (j, sim)
                anchor, k = j, k + step
        ks = sorted(run)
        mean = sum(run[k][1] for k in ks) / len(ks)
        if not ((len(ks) >= 2 and mean >= PARA_MEAN) or mean >= PARA_SINGLE):
            continue
        for k in ks:
            used[k] = True
        la, lb = free[ks[0]][0], free[ks[-1]][1]
        js = [run[k][0] for k in ks]
        da, db_ = doc_sents[min(js)][0], doc_sents[max(js)][1]
        kind = "shared_quotation" if _inside(quotes, da, db_) else "paraphrase"
        out.append(ReusedPassage(la, lb, da, db_, kind, round(mean, 3), None, text[la:lb], base[da:db_]))
    return sorted(out, key=lambda p: p.leak_start)


def _one_per_series(found: Sequence[SourceMatch]) -> list[SourceMatch]:
    """The best-matching version of each series (the others are reported as versions of it)."""
    seen, out = set(), []
    for m in found:
        if m.document["series"] not in seen:
            seen.add(m.document["series"])
            out.append(m)
    return out


def _complete(ws: "Workspace", m: SourceMatch, text: str, leak, weights: Weights, semantic_hits: dict) -> None:
    """Sections, versions and content exposure of a source."""
    doc = int(m.document["id"][1:])
    secs = ws.sections(doc)
    spans = [(p.doc_start, p.doc_end) for p in m.passages if p.kind != "shared_quotation"]
    touched = secmod.touched(secs, spans) if len(secs) > 1 else []
    m.sections = [s.name for s in touched]
    m.passages = [_with_section(p, secs) for p in m.passages]
    m.versions = _versions(ws, m, text, leak, weights, semantic_hits)
    containing = [int(v["id"][1:]) for v in m.versions if v["contains"]] or [doc]
    m.exposure = _exposure(ws, containing, set(m.sections))


def _with_section(p: ReusedPassage, secs) -> ReusedPassage:
    hit = secmod.touched(secs, [(p.doc_start, p.doc_end)]) if len(secs) > 1 else []
    if not hit:
        return p
    from dataclasses import replace

    return replace(p, section=", ".join(s.name for s in hit))


def _versions(ws: "Workspace", m: SourceMatch, text: str, leak, weights: Weights, semantic_hits: dict
              ) -> list[dict]:
    """Every version of the source's series, and whether it contains the leaked content: as
    many leak words in its passages and as many identical tokens as the best version (a
    version that changed a leaked date or name aligns one token less)."""
    series = int(m.document["series"][1:])
    with ws.engine.connect() as conn:
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
        other = _match(ws, doc, text, leak, list(passages.sentences(text)), weights, semantic_hits)
        contains = other is not None and other.words >= best and other.identical >= m.identical
        out.append({"id": f"D{doc}", "version": version, "contains": contains})
    return out


def _exposure(ws: "Workspace", docs: Sequence[int], needed: set[str]) -> list[dict]:
    """Copies of the given versions whose sections include every needed section."""
    with ws.engine.connect() as conn:
        rows = conn.execute(select(db.copies.c.doc, db.copies.c.recipient, db.copies.c.copy_id,
                                   db.copies.c.sections, db.recipients.c.name)
                            .join(db.recipients, db.recipients.c.id == db.copies.c.recipient)
                            .where(db.copies.c.doc.in_(list(docs)))
                            .order_by(db.copies.c.recipient)).all()
    out = []
    for doc, rid, cid, secs, name in rows:
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


def _inside(spans: Sequence[tuple[int, int]], a: int, b: int) -> bool:
    """At least 80% of [a, b) lies inside quotation marks."""
    if b <= a:
        return False
    inside = sum(max(0, min(b, e) - max(a, s)) for s, e in spans)
    return inside >= 0.8 * (b - a)


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
