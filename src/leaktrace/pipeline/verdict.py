"""Stage 5: the verdict for each marked source (the copies that clear the bar, or why none
does), and the trace's result: the sources, their verdicts, the stamps and the detectors."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np

from ..marks.channels import ALL_CHANNELS
from ..marks.read import ERASED, STATUS, UNREADABLE
from ..marks.score import BAR, ScoreModel, false_accusation_bound, leaker_gain, score_at_bar, sites_needed
from ..models import CopyScore, PassageMatch, SiteRead, TraceResult, plain
from ..text.display import visible
from .sources import MIN_PASSAGE_WORDS
from .values import Artifact, Found, Library, MarkedSource, Reading, Scores

TOP_COPIES = 10
MAX_SITE_READS = 400


def unread(leak: Artifact, source: MarkedSource, doc: dict, base: str) -> TraceResult:
    """A derived source of which no copy was issued: nothing to read marks for."""
    result = TraceResult("inconclusive", f"Derived from {doc['id']} “{doc['title']}”, but no marked copies of "
                         "it were issued, so no copy can be identified.",
                         document={"id": doc["id"], "title": doc["title"]},
                         passages=_passages(leak, source, base), leak_words=leak.words, bar=BAR)
    result.notes.append("no copies issued")
    return result


def for_source(leak: Artifact, source: MarkedSource, reading: Reading, scored: Scores,
               issued: int | None = None, in_trace: int | None = None) -> TraceResult:
    """The verdict on one source: which copies its marks identify, with their bounds. issued:
    how many copies of the source exist, when only some of them (`scored.issued`) could have
    produced the leak; in_trace: how many copies the whole trace scores, of every source (the
    bound counts them all, so that one trace accuses no innocent copy of any source with more
    than the bar's probability)."""
    doc = reading.doc
    result = TraceResult("inconclusive", "", document={"id": doc.id, "title": doc.title},
                         passages=_passages(leak, source, reading.base), leak_words=leak.words,
                         aligned_words=reading.aligned_words, bar=BAR)
    result.sites_covered = dict(reading.covered)
    result.sites_read = dict(reading.read)
    erased = reading.reads.status == ERASED
    result.sites_erased = dict(Counter(reading.sites[i].channel.value for i in np.flatnonzero(erased)))
    model, scores, order, copies = scored.model, scored.scores, scored.order, scored.issued
    n = len(copies)
    result.recipients_scored = n
    result.copies_issued = issued_total = issued if issued is not None else n
    n_bound = max(n, in_trace or 0)
    if n_bound > n:
        result.notes.append(f"the false-accusation bound counts all {n_bound} copies this trace scored, of "
                            f"every source its text reuses (here {n} of {doc.id})")
    if issued_total > n:
        names = source.match.sections
        sections = ", ".join(f"“{x}”" for x in names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        result.notes.append(f"{n} of the {issued_total} copies held every section the leak reuses ({sections}); "
                            "only they could have produced it, so only they are scored and counted in the bound")
    result.all_scores = [round(float(x), 3) for x in scores[order]]
    result.score_bar = score_at_bar(model, n_bound)
    symbols = reading.symbols
    result.marks = [[int(i), int(symbols[i])] for i in model.sites]
    for rank, j in enumerate(order.tolist()):
        s = float(scores[j])
        if rank >= TOP_COPIES and s <= 0:
            break
        bound = false_accusation_bound(model.log_tail(s), n_bound)
        if rank >= TOP_COPIES and bound > BAR:
            break
        agreed = int((scored.codewords[j, model.sites] == symbols[model.sites]).sum()) if len(model) else 0
        rid, name, cid = copies[j]
        result.copies.append(CopyScore(rid, name, cid, round(s, 4), bound, agreed, len(model), bound <= BAR))
    if result.copies:
        result.site_reads = _site_reads(reading, scored.codewords[order[0]], model)
    identified = [c for c in result.copies if c.identified]
    if identified:
        result.verdict = "identified"
        names = ", ".join(f"{c.recipient} (copy {c.copy}, bound {c.false_accusation_bound:.1e})" for c in identified)
        result.summary = (f"Derived from {doc.id} “{doc.title}”. The marks match the copy of {names}. "
                          "A copy is not a person: it may have been forwarded, shared or stolen.")
        if len(identified) > 1:
            result.notes.append("several copies clear the bar: the leak mixes copies (collusion) or they were combined")
    elif not source.copied:
        result.summary = _reworded(leak, source, doc)
    else:
        result.summary, result.more_words_needed = _why_inconclusive(reading, model, n_bound, result.copies)
    return result


def _passages(leak: Artifact, source: MarkedSource, base: str) -> list[PassageMatch]:
    return [PassageMatch(p.leak_start, p.leak_end, p.doc_start, p.doc_end,
                         leak.text[p.leak_start:p.leak_end], base[p.doc_start:p.doc_end])
            for p in sorted(source.alignment.passages, key=lambda p: p.leak_start) if p.words >= MIN_PASSAGE_WORDS]


def _reworded(leak: Artifact, source: MarkedSource, doc) -> str:
    kinds = ", ".join(sorted({p.kind.replace("_", " ") for p in source.match.passages}))
    return (f"Derived from {doc.id} “{doc.title}” ({kinds}, {source.match.words} words), but reworded text "
            "keeps too little of any copy's marks to single one out; the content exposure lists who held "
            "that content.")


def _why_inconclusive(reading: Reading, model: ScoreModel, n: int,
                      copies: list[CopyScore]) -> tuple[str, int | None]:
    """The inconclusive summary, and how many more words of similar text would be needed."""
    doc = reading.doc
    head = f"Derived from {doc.id} “{doc.title}”, but"
    bar = f"at a false-accusation bound of {BAR:.0e}"
    read_ = len(model)
    if not read_:
        return (f"{head} no mark could be read in this text: it may be the unmarked original, or a copy "
                "whose marks were normalized away, so no copy can be singled out.", None)
    need = sites_needed(float(leaker_gain(reading.code.biases[model.sites]).mean()), n)
    if read_ >= need:
        best = copies[0] if copies else None
        agreement = f" (the best copy agrees at {best.agreed} of {best.read})" if best else ""
        return (f"{head} although the {read_} marks read would single out a lone leaker's copy among {n}, "
                f"no copy agrees with them well enough {bar}{agreement}: the text may mix several copies "
                "or have been altered.", None)
    rate = read_ / max(reading.aligned_words, 1)
    more = (need - read_) / rate
    if reading.aligned_words + more > doc.words:
        return (f"{head} the {read_} marks read are not enough to single out a copy among {n} {bar}, "
                "and a leak of this kind would need more text than the document holds.", None)
    words = max(10, int(round(more / 10.0) * 10))
    return (f"{head} the {read_} marks read are not enough to single out a copy among {n} {bar}; "
            f"about {words} more words of similar text would be needed.", words)


def _site_reads(reading: Reading, accused, model: ScoreModel) -> list[SiteRead]:
    """The sites read and the sites the leak covers but shows no single variant of, in document
    order, at most MAX_SITE_READS."""
    base, sites, symbols, status = reading.base, reading.sites, reading.symbols, reading.reads.status
    # sites erased as a whole group (every invisible site of a retyped leak) are counted in
    # sites_erased, not listed one by one
    unread = np.flatnonzero(status == UNREADABLE)
    shown = sorted(model.sites.tolist()[:MAX_SITE_READS] + unread.tolist()[:max(0, MAX_SITE_READS - len(model))])
    out = []
    for i in shown:
        site = sites[i]
        y, x = int(symbols[i]), int(accused[i])
        observed = _variant(site, y) if y >= 0 else ""
        out.append(SiteRead(i, site.channel.value, site.kind, base.count("\n", 0, site.start) + 1, observed,
                            _variant(site, x), x == y, STATUS[int(status[i])]))
    return out


def _variant(site, v: int) -> str:
    """A variant as a person reads it: the words, or for a layout site where its word stands."""
    if site.reader == "layout":
        return f"{visible(site.variants[0][0])} ({'right' if v else 'left'})"
    return visible(" / ".join(site.variants[v]))


def conclude(lib: Library, leak: Artifact, found: Found, per_source: list[TraceResult]) -> TraceResult:
    """The trace's result: the first identified source's verdict (else the most reused one's) at
    the top, every other marked source's verdict beside it, what search found, and the stamps."""
    search = found.search
    primary = next((r for r in per_source if r.verdict == "identified"), per_source[0] if per_source else None)
    if primary is None:
        result = TraceResult("no_match", "The text does not derive from any registered document.",
                             leak_words=leak.words, bar=BAR)
    else:
        result = primary
        result.other_sources = [r for r in per_source if r is not primary]
    result.reuse = search.verdict
    # a source's exposure lists every holder (10,000 entries for a wide distribution) and is
    # already plain data: shared, not copied
    result.sources = [{**plain(replace(m, exposure=[])), "exposure": m.exposure} for m in search.sources]
    result.content_exposure = search.exposure
    result.notes.extend(search.notes)
    if result.document is not None:
        series = next((m.document["series"] for m in search.sources
                       if m.document["id"] == result.document["id"]), None)
        others = [m for m in search.sources if m.derived and m.document["id"] != result.document["id"]
                  and m.document["series"] != series]
        if others:
            result.notes.append("the text also reuses " + ", ".join(
                f"{m.document['id']} “{m.document['title']}”" for m in others) + " (see sources)")
    elif search.verdict in ("possible_paraphrase", "shared_quotation"):
        result.summary = search.summary
    result.source = dict(leak.source)
    result.stamps = [s.to_json() for s in leak.stamps]
    result.notes.extend(leak.notes)
    _partial(result, leak.source.get("unread") or [])
    _stamps(result, leak.stamps)
    channels = set(lib.document(result.document["id"]).channels) if result.document else set()
    result.detectors = _detectors(result, leak.stamps, channels, bool(leak.pages))
    return result


def _partial(result: TraceResult, unread: list[str]) -> None:
    """A file read only in part: what was not read may be where the text comes from, so the
    trace is partial, and where the parts read match nothing it is inconclusive, not no_match."""
    if not unread:
        return
    result.partial = True
    shown = "; ".join(unread[:3]) + (f"; and {len(unread) - 3} more" if len(unread) > 3 else "")
    if result.verdict == "no_match":
        result.verdict = "inconclusive"
        result.summary = (f"The parts of the file that were read do not derive from any registered document, "
                          f"but parts were not read ({shown}): the text there may.")
    else:
        result.summary += f" Parts of the file were not read ({shown})."


def _stamps(result: TraceResult, stamps) -> None:
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


def _detectors(result: TraceResult, stamps, channels: set[str], pages: bool) -> list[dict]:
    """Which detectors ran on this artifact and what each found (the layout channel runs only on
    page images)."""
    out = [{"detector": "stamp", "ran": result.source.get("format") in ("docx", "pdf", "html", "eml"),
            "found": len(stamps), "verified": sum(1 for s in stamps if s.status == "verified")}]
    for ch in (c.value for c in ALL_CHANNELS):
        agree = sum(1 for r in result.site_reads if r.channel == ch and r.agrees)
        ran = ch in channels and (pages or ch != "layout")
        out.append({"detector": ch, "ran": ran, "sites_covered": result.sites_covered.get(ch, 0),
                    "marks_read": result.sites_read.get(ch, 0), "agree_with_best_copy": agree})
    return out
