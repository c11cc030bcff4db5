"""Tracing: leak text → source document and passages → marks read → every copy scored →
verdict with a false-accusation bound."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import numpy as np

from .text.display import visible
from .marks.read import read
from .marks.score import BAR, ScoreModel, false_accusation_bound, leaker_gain, score_at_bar, sites_needed
from .models import CopyScore, PassageMatch, SiteRead, TraceResult, plain
from .search import fingerprint
from .search import index as search_index
from .text.align import Alignment, align
from .text.tokens import Tokens, tokenize

if TYPE_CHECKING:
    from .workspace import Workspace

MIN_PASSAGE_WORDS = 6  # passages with fewer words are not evidence of derivation
MIN_DERIVED_WORDS = 12  # aligned words in such passages needed to call a leak derived
MIN_EXACT_RUN = 8  # ... of which one passage must hold this many words in a row: generic
#                    phrases ("compared with ... the year before") align loosely, copied text does not
TOP_COPIES = 10
MAX_SITE_READS = 400


def _words(tokens: Tokens) -> int:
    return sum(1 for s in tokens.skel if s[0].isalnum())


def _best_source(ws: "Workspace", leak: Tokens) -> tuple[int | None, Alignment | None, Tokens | None]:
    hashes = fingerprint.fingerprints(fingerprint.word_skeletons(leak.skel))
    with ws.engine.connect() as conn:
        cands = search_index.candidates(conn, hashes, limit=5)
        best = (None, None, None, 0)
        for doc, _shared in cands:
            index = ws.doc_index(doc, conn)
            dtoks = index.doc
            al = align(index, leak)
            strength = sum(p.words for p in al.passages if p.words >= MIN_PASSAGE_WORDS)
            if not any(p.longest_run >= MIN_EXACT_RUN for p in al.passages):
                strength = 0
            if strength > best[3]:
                best = (doc, al, dtoks, strength)
    if best[3] < MIN_DERIVED_WORDS:
        return None, None, None
    return best[0], best[1], best[2]


def trace(ws: "Workspace", text: str, *, stamps=(), source=None) -> TraceResult:
    found = ws.search(text)
    result = _trace_text(ws, text)
    _add_sources(result, found)
    result.source = ({"format": source.format, "name": source.name, "readers": list(source.readers),
                      "notes": list(source.notes)} if source is not None else {"format": "text"})
    result.stamps = [s.to_json() for s in stamps]
    result.notes.extend(source.notes if source is not None else ())
    _conclude(result, stamps, ws)
    return result


def _add_sources(result: TraceResult, found) -> None:
    """What source search found, beside the marks: every source, and when no copied text
    could be aligned for reading marks, why the text still derives from a document."""
    result.reuse = found.verdict
    result.sources = [plain(m) for m in found.sources]
    result.content_exposure = found.exposure
    result.notes.extend(found.notes)
    if result.document is not None:
        series = next((m.document["series"] for m in found.sources
                       if m.document["id"] == result.document["id"]), None)
        others = [m for m in found.sources if m.derived and m.document["id"] != result.document["id"]
                  and m.document["series"] != series]
        if others:
            result.notes.append("the text also reuses " + ", ".join(
                f"{m.document['id']} “{m.document['title']}”" for m in others) + " (see sources)")
        return
    derived = [m for m in found.sources if m.derived]
    if derived:
        top = derived[0]
        result.verdict = "inconclusive"
        result.document = {"id": top.document["id"], "title": top.document["title"]}
        kinds = ", ".join(sorted({p.kind.replace("_", " ") for p in top.passages}))
        result.summary = (f"Derived from {top.document['id']} “{top.document['title']}” ({kinds}, "
                          f"{top.words} words), but reworded text keeps too little of any copy's marks "
                          "to single one out; the content exposure lists who held that content.")
    elif found.verdict in ("possible_paraphrase", "shared_quotation"):
        result.summary = found.summary


def _conclude(result: TraceResult, stamps, ws: "Workspace") -> None:
    """The outcome, with what the file's copy stamps say beside the text marks."""
    verified = [s for s in stamps if s.status == "verified"]
    doc_id = result.document["id"] if result.document else None
    same_doc = [s for s in verified if s.document == doc_id]
    for s in stamps:
        if s.status == "forged":
            result.notes.append(f"the file carries a stamp for copy {s.copy} that fails the key check: "
                                "it was altered or forged, and is not evidence")
        elif s.status in ("unknown-copy", "malformed"):
            result.notes.append(f"the file carries a stamp {s.stamp!r} that names no copy of this workspace")
    for s in verified:
        if s.document != doc_id:
            result.notes.append(f"the file is stamped as copy {s.copy} of {s.document} (recipient {s.recipient}), "
                                "but its text does not derive from that document")
    identified = {c.recipient for c in result.copies if c.identified}
    for s in same_doc:
        if identified and s.recipient not in identified:
            result.notes.append(f"the file's stamp names copy {s.copy} ({s.recipient}) but the text marks "
                                "identify another copy: the text was moved into another copy's file")
    if same_doc:
        result.outcome = "exact"
        names = ", ".join(f"{s.recipient} (copy {s.copy})" for s in same_doc)
        result.summary += f" The file itself carries the verified stamp of the copy of {names}."
    elif result.verdict == "identified":
        result.outcome = "high_confidence"
    else:
        result.outcome = result.verdict
    result.detectors = _detectors(result, stamps, ws)


def _detectors(result: TraceResult, stamps, ws: "Workspace") -> list[dict]:
    """Which detectors ran on this artifact and what each found."""
    out = [{"detector": "stamp", "ran": result.source.get("format") in ("docx", "pdf", "html", "eml"),
            "found": len(stamps), "verified": sum(1 for s in stamps if s.status == "verified")}]
    channels = set(ws.document(result.document["id"]).channels) if result.document else set()
    for ch in ("invisible", "typographic", "lexical", "declared"):
        agree = sum(1 for r in result.site_reads if r.channel == ch and r.agrees)
        out.append({"detector": ch, "ran": ch in channels, "sites_covered": result.sites_covered.get(ch, 0),
                    "marks_read": result.sites_read.get(ch, 0), "agree_with_best_copy": agree})
    return out


def _trace_text(ws: "Workspace", text: str) -> TraceResult:
    leak = tokenize(text)
    leak_words = _words(leak)
    doc_n, al, dtoks = _best_source(ws, leak)
    if doc_n is None:
        return TraceResult("no_match", "The text does not derive from any registered document.",
                           leak_words=leak_words, bar=BAR)
    doc, base, sites, code = ws.code(doc_n)
    passages = [PassageMatch(p.leak_start, p.leak_end, p.doc_start, p.doc_end,
                             text[p.leak_start:p.leak_end], base[p.doc_start:p.doc_end])
                for p in sorted(al.passages, key=lambda p: p.leak_start) if p.words >= MIN_PASSAGE_WORDS]
    aligned_words = sum(1 for i in np.flatnonzero(al.doc_to_leak >= 0) if dtoks.skel[i][0].isalnum())
    result = TraceResult("inconclusive", "", document={"id": doc.id, "title": doc.title},
                         passages=passages, leak_words=leak_words, aligned_words=aligned_words, bar=BAR)
    reading = read(sites, dtoks, leak, al)
    covered: Counter[str] = Counter()
    got: Counter[str] = Counter()
    for i, site in enumerate(sites):
        if all(al.doc_to_leak[a - 1] >= 0 and al.doc_to_leak[b] >= 0 for a, b in site.windows):
            covered[site.channel.value] += 1
        if reading[i] >= 0:
            got[site.channel.value] += 1
    result.sites_covered = dict(covered)
    result.sites_read = dict(got)

    issued = ws.issued_copies(doc_n)
    result.recipients_scored = len(issued)
    if not issued:
        result.summary = (f"Derived from {doc.id} “{doc.title}”, but no marked copies of it were issued, "
                          "so no copy can be identified.")
        result.notes.append("no copies issued")
        return result
    model = ScoreModel.build(code.biases, reading)
    codewords = ws.codewords(doc_n, [r for r, _, _ in issued])
    scores = model.scores(codewords, reading)
    order = np.argsort(-scores, kind="stable")
    n = len(issued)
    result.all_scores = [round(float(x), 3) for x in scores[order]]
    result.score_bar = score_at_bar(model, n)
    for rank, j in enumerate(order.tolist()):
        s = float(scores[j])
        if rank >= TOP_COPIES and s <= 0:
            break
        bound = false_accusation_bound(model.log_tail(s), n)
        if rank >= TOP_COPIES and bound > BAR:
            break
        agreed = int((codewords[j, model.sites] == reading[model.sites]).sum()) if len(model) else 0
        rid, name, cid = issued[j]
        result.copies.append(CopyScore(rid, name, cid, round(s, 4), bound, agreed, len(model), bound <= BAR))
    identified = [c for c in result.copies if c.identified]
    if result.copies:
        top = order[0]
        result.site_reads = _site_reads(sites, base, reading, codewords[top], model)
    if identified:
        result.verdict = "identified"
        names = ", ".join(f"{c.recipient} (copy {c.copy}, bound {c.false_accusation_bound:.1e})" for c in identified)
        result.summary = (f"Derived from {doc.id} “{doc.title}”. The marks match the copy of {names}. "
                          "A copy is not a person: it may have been forwarded, shared or stolen.")
        if len(identified) > 1:
            result.notes.append("several copies clear the bar: the leak mixes copies (collusion) or they were combined")
    else:
        result.summary, result.more_words_needed = _why_inconclusive(doc, code, model, n, aligned_words,
                                                                     result.copies)
    return result


def _why_inconclusive(doc, code, model: ScoreModel, n: int, aligned_words: int,
                      copies: list[CopyScore]) -> tuple[str, int | None]:
    """The inconclusive summary, and how many more words of similar text would be needed."""
    head = f"Derived from {doc.id} “{doc.title}”, but"
    bar = f"at a false-accusation bound of {BAR:.0e}"
    read_ = len(model)
    if not read_:
        return (f"{head} no mark could be read in this text: it may be the unmarked original, or a copy "
                "whose marks were normalized away, so no copy can be singled out.", None)
    need = sites_needed(float(leaker_gain(code.biases[model.sites]).mean()), n)
    if read_ >= need:
        best = copies[0] if copies else None
        agreement = f" (the best copy agrees at {best.agreed} of {best.read})" if best else ""
        return (f"{head} although the {read_} marks read would single out a lone leaker's copy among {n}, "
                f"no copy agrees with them well enough {bar}{agreement}: the text may mix several copies "
                "or have been altered.", None)
    rate = read_ / max(aligned_words, 1)
    more = (need - read_) / rate
    if aligned_words + more > doc.words:
        return (f"{head} the {read_} marks read are not enough to single out a copy among {n} {bar}, "
                "and a leak of this kind would need more text than the document holds.", None)
    words = max(10, int(round(more / 10.0) * 10))
    return (f"{head} the {read_} marks read are not enough to single out a copy among {n} {bar}; "
            f"about {words} more words of similar text would be needed.", words)


def _site_reads(sites, base: str, reading: np.ndarray, accused: np.ndarray, model: ScoreModel) -> list[SiteRead]:
    out = []
    for i in model.sites.tolist()[:MAX_SITE_READS]:
        site = sites[i]
        y, x = int(reading[i]), int(accused[i])
        out.append(SiteRead(i, site.channel.value, site.kind, base.count("\n", 0, site.start) + 1,
                            visible(" / ".join(site.variants[y])), visible(" / ".join(site.variants[x])), x == y))
    return out
