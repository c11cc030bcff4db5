"""leaktrace source-search benchmark in the spirit of the PAN text-alignment task.

    bash scripts/bench-deps.sh           # python3-doc (the corpus) and wordnet-base (synonyms)
    python bench/pan.py                  # full run (about 15-20 minutes on 2 cores): bench/PAN.md, bench/pan.json
    python bench/pan.py --quick          # 1,000 documents, few leaks (under 3 minutes), prints only
    python bench/pan.py --report-from bench/pan.json   # re-render the markdown from saved tallies

What it does:

1. Extracts the prose of the Python documentation shipped by Debian's python3-doc into
   documents of 300-1,500 words (bench/reuse.py); a seeded share of the pages is held out
   (never registered) for filler text and same-topic negatives.
2. Builds seeded leaks with exact ground truth (leak span <-> source span): verbatim excerpts,
   lightly edited excerpts, heavy paraphrases (WordNet synonyms, clause deletion, merging and
   reordering of sentences), summaries, leaks from two sources, and negatives.
3. Registers documents with ``ws.add_documents`` in stages (1,000; 10,000; 100,000 - the
   real documents first, then synthetic distractors from bench/corpus.py) and times it;
   times ``ws.search`` at every stage; runs every leak through ``ws.search`` at 10,000
   documents (1,000 with --quick) and the same verbatim, heavy and negative leaks again at
   100,000.
4. Scores the answers with the PAN measures (bench/pan_metrics.py) and writes the section
   ``## Source search (PAN-style)`` to bench/PAN.md and the raw tallies to bench/pan.json.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import os
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from pan_metrics import Span, detects, false_source, pan_measures, side_recall, top1_hit  # noqa: E402
from stats import clopper_pearson, fmt_pct  # noqa: E402
from runinfo import git_commit, log, machine  # noqa: E402

SEED = "leaktrace-pan-v1"
DISTRACTOR_SEED = 50_000_000      # corpus.make_document seeds of the distractors start here
BATCH = 1000                      # documents per add_documents call
HEAVY_BINS = ((100, 160), (170, 230), (240, 300))   # words of the paraphrase
LENGTH_BINS = (25, 50, 100, 200, 300)
# leaks per difficulty at full scale (--scale multiplies, --quick uses QUICK)
FULL = {"verbatim": 200, "light": 60, "heavy": 100, "summary": 200, "two-sources": 150, "quoted": 200,
        "neg-topic": 500, "neg-quote": 300}          # verbatim and light: per length bin; heavy: per bin
QUICK = {"verbatim": 8, "light": 4, "heavy": 6, "summary": 12, "two-sources": 10, "quoted": 10, "neg-topic": 15,
         "neg-quote": 15}
RERUN_AT_LARGEST = {"verbatim": 30, "heavy": 40, "neg-topic": 80, "neg-quote": 80}   # per bin for verbatim/heavy
LABELS = {"verbatim": "verbatim excerpt, 25-300 words, in filler", "light": "verbatim + ~5% word edits",
          "heavy": "heavy paraphrase, 100-300 words", "summary": "summary: 3-5 compressed sentences of 400+ words",
          "two-sources": "two verbatim passages from two documents",
          "quoted": "prose quoting one 12-40-word sentence of a document in quotation marks",
          "neg-topic": "held-out page, same subject",
          "neg-quote": "prose quoting a public statement that a registered document quotes too"}
POSITIVES = ("verbatim", "light", "heavy", "summary", "two-sources", "quoted")
VERDICTS = ("derived", "possible_paraphrase", "shared_quotation", "topic_only", "no_match")








def percentile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    if not xs:
        return float("nan")
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


# ------------------------------------------------------------------------------ registering

class Registry:
    """Registers documents in batches and remembers which id each got."""

    def __init__(self, ws):
        self.ws = ws
        self.id_of: dict[str, str] = {}      # our key -> leaktrace id
        self.count = 0
        self.bulk = hasattr(ws, "add_documents")

    def add(self, items: list[dict]) -> float:
        """Register items ({key, text, title}); returns the seconds spent in leaktrace."""
        t0 = time.perf_counter()
        if self.bulk:
            docs = self.ws.add_documents([{"text": it["text"], "title": it["title"], "name": it["name"]}
                                          for it in items])
        else:
            docs = [self.ws.add_document(text=it["text"], title=it["title"], fmt="txt", name=it["name"])
                    for it in items]
        dt = time.perf_counter() - t0
        if len(docs) != len(items):
            raise RuntimeError(f"add_documents returned {len(docs)} documents for {len(items)} items")
        for it, d in zip(items, docs):
            self.id_of[it["key"]] = d.id
        self.count += len(items)
        return dt


def distractor(i: int) -> dict:
    from corpus import make_document

    rng = random.Random(f"{SEED}:distractor:{i}")
    text = make_document(DISTRACTOR_SEED + i, rng.randint(300, 1000))
    title = text.lstrip("# ").split("\n", 1)[0][:120]
    return {"key": f"synthetic-{i}", "text": text, "title": title, "name": f"synthetic-{i}.md"}


def grow(reg: Registry, corpus, target: int, next_synth: list[int]) -> dict:
    """Register real documents (in corpus order), then distractors, until target documents."""
    real = [d for d in corpus.registered if d.key not in reg.id_of]
    added_real = added_synth = 0
    secs = 0.0
    gen = 0.0
    while reg.count < target:
        n = min(BATCH, target - reg.count)
        batch = []
        for d in real[added_real:added_real + n]:
            batch.append({"key": d.key, "text": d.text, "title": d.title, "name": d.key})
        added_real += len(batch)
        t0 = time.perf_counter()
        while len(batch) < n:
            batch.append(distractor(next_synth[0]))
            next_synth[0] += 1
            added_synth += 1
        gen += time.perf_counter() - t0
        secs += reg.add(batch)
        if reg.count % 10000 == 0 or reg.count == target:
            log(f"  {reg.count:,} documents registered ({(added_real + added_synth) / secs:,.0f}/s in this stage)")
    return {"docs": reg.count, "added": added_real + added_synth, "real": added_real, "synthetic": added_synth,
            "index_s": secs, "rate": (added_real + added_synth) / secs if secs else float("nan"), "gen_s": gen}


# ------------------------------------------------------------------------------ running leaks

def run_leak(ws, leak, reg: Registry, doc_text: dict[str, str], check: Counter, stage: int) -> dict:
    t0 = time.perf_counter()
    res = ws.search(leak.text)
    ms = 1000 * (time.perf_counter() - t0)
    j = res.to_json()
    verdict = j.get("verdict")
    sources = j.get("sources") or []
    ranked = [s["document"]["id"] for s in sources]
    dets = []
    kinds = Counter()
    for s in sources:
        did = s["document"]["id"]
        for p in s.get("passages") or []:
            kinds[p["kind"]] += 1
            dets.append([p["leak_start"], p["leak_end"], did, p["doc_start"], p["doc_end"], p["kind"]])
            # the offsets must select the text the passage says it is (when the answer carries it)
            if "leak_text" in p:
                check["leak_checked"] += 1
                check["leak_mismatch"] += leak.text[p["leak_start"]:p["leak_end"]] != p["leak_text"]
            if "doc_text" in p and did in doc_text:
                check["doc_checked"] += 1
                check["doc_mismatch"] += doc_text[did][p["doc_start"]:p["doc_end"]] != p["doc_text"]
    truth = [reg.id_of[k] for k in leak.sources]
    if leak.segments:  # sentence-level pairs: each reworded sentence (or merged pair) <-> its source sentences
        sentence_cases = [[sg["leak"][0], sg["leak"][1], reg.id_of[sg["doc"]], min(a for a, _ in sg["sentences"]),
                           max(b for _, b in sg["sentences"])] for sg in leak.segments]
    else:
        sentence_cases = [[c.leak_start, c.leak_end, reg.id_of[c.doc], c.doc_start, c.doc_end] for c in leak.cases]
    return {"key": leak.key, "difficulty": leak.difficulty, "stage": stage, "words": leak.words,
            "bin": leak.meta.get("words_bin"), "truth": truth,
            "cases": [[c.leak_start, c.leak_end, reg.id_of[c.doc], c.doc_start, c.doc_end] for c in leak.cases],
            "sentence_cases": sentence_cases, "detections": dets, "verdict": verdict, "ranked": ranked[:10],
            "kinds": dict(kinds), "ms": round(ms, 2),
            "meta": {k: v for k, v in leak.meta.items() if k != "heldout"}}


def latency(ws, queries: list[tuple[str, str]], reg: Registry) -> dict:
    ws.search(queries[0][0])  # warm-up, not counted
    times, hit = [], 0
    for text, key in queries:
        t0 = time.perf_counter()
        res = ws.search(text)
        times.append(1000 * (time.perf_counter() - t0))
        j = res.to_json()
        ranked = [s["document"]["id"] for s in j.get("sources") or []]
        hit += top1_hit([reg.id_of[key]], j.get("verdict"), ranked)
    return {"ms": [round(t, 2) for t in times], "median_ms": statistics.median(times),
            "p95_ms": percentile(times, 0.95), "top1": hit, "n": len(times)}


PG_PER_KIND = 40      # leaks of each difficulty run again on the PostgreSQL workspace


def postgres_stage(corpus, size: int, leaks: list, lat: tuple, sqlite_records: list[dict], tmp: Path) -> dict:
    """The quality stage again with the workspace's data on a PostgreSQL server (a throwaway
    cluster, tests/pgserver.py): indexing rate, latency, and whether search answers as it does
    on SQLite for the first PG_PER_KIND leaks of every difficulty."""
    sys.path.insert(0, str(ROOT / "tests"))
    import pgserver
    from leaktrace import Workspace

    why = pgserver.problem()
    if why:
        return {"skipped": why}
    server = pgserver.Server().start()
    try:
        ws = Workspace.create(tmp / "pg", key=hashlib.sha256(f"{SEED}:ws".encode()).digest(),
                              database_url=server.new_database())
        reg = Registry(ws)
        st = grow(reg, corpus, size, [0])
        st["latency_verbatim"] = latency(ws, lat[0], reg)
        st["latency_heavy"] = latency(ws, lat[1], reg)
        by_key = {r["key"]: r for r in sqlite_records if r["stage"] == size}
        taken: Counter = Counter()
        same_verdict = same_first = n = 0
        records = []
        for lk in leaks:
            if taken[lk.difficulty] >= PG_PER_KIND or lk.key not in by_key:
                continue
            taken[lk.difficulty] += 1
            rec = run_leak(ws, lk, reg, {}, Counter(), size)
            records.append(rec)
            ref = by_key[lk.key]
            n += 1
            same_verdict += rec["verdict"] == ref["verdict"]
            same_first += rec["ranked"][:1] == ref["ranked"][:1]
        ws.close()
        st.update({"compared": n, "same_verdict": same_verdict, "same_first": same_first,
                   "by_kind": dict(taken), "records": records, "server": server.version()})
        return st
    finally:
        server.stop()


def make_leaks(maker, counts: dict, quick: bool) -> list:
    leaks = []
    for b in LENGTH_BINS:
        leaks += [x for x in (maker.verbatim(i, b) for i in range(counts["verbatim"])) if x]
        leaks += [x for x in (maker.light(i, b) for i in range(counts["light"])) if x]
    for lo, hi in HEAVY_BINS:
        leaks += [x for x in (maker.heavy(i, lo, hi) for i in range(counts["heavy"])) if x]
    leaks += [x for x in (maker.summary(i) for i in range(counts["summary"])) if x]
    leaks += [x for x in (maker.two_sources(i) for i in range(counts["two-sources"])) if x]
    leaks += [x for x in (maker.quoted(i) for i in range(counts["quoted"])) if x]
    leaks += distinct(maker.neg_topic, counts["neg-topic"])
    leaks += [x for x in (maker.neg_quote(i) for i in range(counts["neg-quote"])) if x]
    return leaks


def distinct(make, n: int) -> list:
    """n leaks from make(0), make(1), ... with no text twice (a negative drawn twice would count
    its verdict twice)."""
    out, seen = [], set()
    for i in range(20 * n):
        if len(out) == n:
            break
        lk = make(i)
        if lk is not None and lk.text not in seen:
            seen.add(lk.text)
            out.append(lk)
    return out


def rerun_subset(leaks: list) -> list:
    """The leaks run again at the largest size: the first few of each bin / kind."""
    taken: Counter = Counter()
    out = []
    for lk in leaks:
        d = lk.difficulty
        if d not in RERUN_AT_LARGEST:
            continue
        k = (d, lk.meta.get("words_bin"))
        if taken[k] < RERUN_AT_LARGEST[d]:
            taken[k] += 1
            out.append(lk)
    return out


# ------------------------------------------------------------------------------ scoring

def spans(recs: list[dict]) -> tuple[list[Span], list[Span]]:
    cases = [Span(r["key"], c[0], c[1], c[2], c[3], c[4]) for r in recs for c in r["cases"]]
    dets = [Span(r["key"], d[0], d[1], d[2], d[3], d[4]) for r in recs for d in r["detections"]
            if d[5] != "shared_quotation"]
    return cases, dets


def top1(r: dict, strict: bool = True) -> bool:
    return top1_hit(r["truth"], r["verdict"], r["ranked"], require_derived=strict)


def tally(recs: list[dict]) -> dict:
    """Per-difficulty document-level and PAN measures of one stage's records."""
    out = {}
    by = defaultdict(list)
    for r in recs:
        by[r["difficulty"]].append(r)
    pos = [r for r in recs if r["truth"]]
    groups = [(d, by[d]) for d in POSITIVES if by[d]]
    groups.append(("all positives", pos))
    groups.append(("overall (with negatives)", recs))
    for name, rs in groups:
        cases, dets = spans(rs)
        m = pan_measures(cases, dets)
        rl, rsrc = side_recall(cases, dets)
        sent = [Span(r["key"], c[0], c[1], c[2], c[3], c[4]) for r in rs for c in r.get("sentence_cases", r["cases"])]
        ms = pan_measures(sent, dets)
        dets_by: dict[str, list] = defaultdict(list)
        cases_by: dict[str, list] = defaultdict(list)
        for d_ in dets:
            dets_by[d_.leak].append(d_)
        for c_ in cases:
            cases_by[c_.leak].append(c_)
        per_case = [sum(1 for d_ in dets_by[c_.leak] if detects(d_, c_)) for c_ in cases]
        outside = sum(1 for d_ in dets if not any(d_.source == c_.source and d_.leak_start < c_.leak_end
                                                  and d_.leak_end > c_.leak_start for c_ in cases_by[d_.leak]))
        p = [r for r in rs if r["truth"]]
        out[name] = {"n": len(rs), "positives": len(p), "top1": sum(top1(r) for r in p),
                     "ranked_first": sum(top1(r, strict=False) for r in p),
                     "precision": m.precision, "recall": m.recall, "granularity": m.granularity,
                     "plagdet": m.plagdet, "cases": m.cases, "detections": m.detections,
                     "detected_cases": m.detected_cases, "recall_leak": rl, "recall_src": rsrc,
                     "plagdet_sentence": ms.plagdet, "granularity_sentence": ms.granularity,
                     "per_case_median": statistics.median([n for n in per_case if n] or [0]),
                     "per_case_max": max(per_case, default=0), "outside": outside,
                     "ms_median": statistics.median([r["ms"] for r in rs]) if rs else float("nan"),
                     "verdicts": dict(Counter(r["verdict"] for r in p))}
    return out


def neg_tally(recs: list[dict]) -> dict:
    out = {}
    for kind in ("neg-topic", "neg-quote", "all negatives"):
        rs = [r for r in recs if (r["difficulty"] == kind if kind != "all negatives" else not r["truth"])]
        if not rs:
            continue
        k = sum(false_source(r["verdict"]) for r in rs)
        quoted = 0
        if kind == "neg-quote":
            quoted = sum(1 for r in rs if r["meta"].get("quoted_id") in r["ranked"])
        out[kind] = {"n": len(rs), "false": k, "upper": clopper_pearson(k, len(rs))[1],
                     "verdicts": dict(Counter(r["verdict"] for r in rs)),
                     "detections": sum(1 for r in rs for d in r["detections"] if d[5] != "shared_quotation"),
                     "quoted_named": quoted, "words_median": statistics.median(r["words"] for r in rs),
                     "ms_median": statistics.median(r["ms"] for r in rs)}
    return out


def by_bin(recs: list[dict], difficulty: str) -> list[tuple[int, int, int, int]]:
    """(bin, n, top-1 strict, ranked first) per length bin."""
    out = []
    bins = sorted({r["bin"] for r in recs if r["difficulty"] == difficulty and r["bin"] is not None})
    for b in bins:
        rs = [r for r in recs if r["difficulty"] == difficulty and r["bin"] == b]
        out.append((b, len(rs), sum(top1(r) for r in rs), sum(top1(r, strict=False) for r in rs)))
    return out


def miss_facts(recs: list[dict]) -> str:
    """What happened to the positives that missed top-1: verdicts, wrong first source."""
    miss = [r for r in recs if r["truth"] and not top1(r)]
    if not miss:
        return ""
    c = Counter()
    for r in miss:
        if r["verdict"] != "derived":
            c[f"verdict {r['verdict']}"] += 1
        elif r["ranked"] and len(r["truth"]) == 1:
            first = r["ranked"][0]
            on_case = any(d[2] == first and d[0] < c_[1] and d[1] > c_[0] for d in r["detections"]
                          for c_ in r["cases"])
            where = "over the leaked passage" if on_case else "on the filler only"
            kinds = "/".join(sorted({d[5] for d in r["detections"] if d[2] == first}))
            c[("true source not among sources" if r["truth"][0] not in r["ranked"] else "true source ranked lower")
              + f", first a document matched {where} ({kinds})"] += 1
        else:
            c["a true source missing"] += 1
    bins = Counter(r["bin"] for r in miss if r["bin"] is not None)
    s = "; ".join(f"{v} {k}" for k, v in c.most_common())
    if bins:
        s += "; misses by length bin: " + ", ".join(f"{b} words: {n}" for b, n in sorted(bins.items()))
    return s


# ------------------------------------------------------------------------------ report

def md_table(headers, rows) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def ci(k: int, n: int) -> str:
    lo, hi = clopper_pearson(k, n)
    return f"{fmt_pct(k, n)} ({k}/{n}; 95% CI {100 * lo:.1f}–{100 * hi:.1f}%)"


def f3(x: float) -> str:
    return "-" if x != x else f"{x:.3f}"


def render(meta: dict, records: list[dict]) -> str:
    qs = meta["quality_stage"]
    big = meta["stages"][-1]["docs"]
    recs = [r for r in records if r["stage"] == qs]
    big_recs = [r for r in records if r["stage"] == big and big != qs]
    t = tally(recs)
    neg = neg_tally(recs)
    cs = meta["corpus"]
    gen = meta["generation"]
    out = ["## Source search (PAN-style)", ""]
    if meta["quick"]:
        out += ["*--quick smoke run: 1,000 documents and a few leaks; the numbers are not representative.*", ""]
    out += [f"- date: {meta['when']}; run time {meta['elapsed_s'] / 60:.1f} min; "
            f"machine: {meta['machine']['nproc']} CPU "
            f"({meta['machine']['cpu']}), Python {meta['machine']['python']}"
            + (f"; load average {meta['loadavg_start']:.1f} at the start, {meta['loadavg_end']:.1f} at the end"
               if "loadavg_start" in meta else ""),
            f"- commit: {meta['commit']}; command: `python bench/pan.py"
            f"{' ' + ' '.join(meta['argv']) if meta['argv'] else ''}`; seed `{meta['seed']}` (corpus split, leaks, "
            "distractors and the workspace key are seeded); raw tallies: bench/pan.json "
            "(`python bench/pan.py --report-from bench/pan.json` re-renders this section)",
            f"- API: `ws.add_documents` in batches of {BATCH:,}"
            + ("" if meta["bulk"] else " (absent: `ws.add_document` in a loop)")
            + "; `ws.search(text).to_json()`; semantic index: "
            + ("built" if meta.get("semantic") else "not built (word-level search only)"), ""]
    out += ["### Corpus", "",
            f"The prose of the Python {meta.get('python_doc_version', '')} documentation as Debian's `python3-doc` "
            f"ships it ({cs['html_root']}). © Python Software Foundation; the documentation is distributed under "
            "the PSF License Agreement (and Zero-Clause BSD for its code examples), which permits redistribution of "
            "derived works with the licence notice: https://docs.python.org/3/license.html (also "
            "/usr/share/doc/python3.11-doc/copyright).",
            "",
            f"- extraction (bench/reuse.py, lxml): the main column of each page; navigation, sidebars, code blocks, "
            f"tables, signatures, version notes and admonition titles dropped; `<p>` paragraphs of 10+ words with "
            f"under half inline code kept. {cs['pages']} pages read, {cs['pages_used']} with 300+ words of prose.",
            f"- documents: one per top-level section (short neighbouring sections joined, long ones cut at their "
            f"subsections, then at paragraphs), or the whole page when it has no sections; 300–1,500 words "
            f"(median {cs['doc_words_median']}). Near-duplicates (half of a document's word 8-grams in an earlier "
            f"document) dropped: {cs['near_duplicates_dropped']}.",
            f"- **{cs['registered_docs']:,} registered documents** ({cs['registered_words']:,} words) from "
            f"{cs['pages_used'] - cs['heldout_pages']} pages. The corpus has fewer than the few thousand documents "
            "one might expect: the 3.11 documentation holds about a million words of prose.",
            f"- held out (never registered): {cs['heldout_pages']} pages, {cs['heldout_docs']} documents, "
            f"{cs['heldout_words']:,} words, for filler around the leaks and the same-topic negatives; "
            f"{cs['heldout_paragraphs_removed']} held-out paragraphs sharing a word 6-gram with a registered "
            "document were removed first, so filler never copies a registered document (it may still "
            "describe the same functions: the documentation talks about its modules in several places, "
            "e.g. the What's New pages).",
            f"- public statements: {cs.get('statements', 0)} registered documents (a seeded quarter) quote one "
            "12–40-word sentence of a held-out page in quotation marks, as a paragraph of their own (\"The release "
            "notes put it plainly: \\\"...\\\"\"); the held-out paragraph it came from leaves the filler. These are "
            "the public statements of the `neg-quote` negatives.",
            f"- scale: the {cs['registered_docs']:,} real documents are registered first; the 10,000 and 100,000 "
            f"document stages are padded with synthetic distractors, `corpus.make_document(seed, 300–1,000 words)` "
            f"(memo-like business prose, seeds from {DISTRACTOR_SEED:,}). The distractors are on another subject, "
            "so they test scale, not confusability.",
            f"- quality is measured with **{qs:,} registered documents**"
            + (f"; the verbatim, heavy and negative leaks are run again at {big:,}." if big_recs else "."), ""]
    out += ["### Leaks and ground truth", "",
            "Every leak is built as pieces `(text, source span or None)`, so the character offsets of the ground "
            "truth are exact for copied text. A case is one reused passage, contiguous on both sides: its span in "
            "the leak and the span of the source document it came from, covering the whole passage (as in PAN); "
            "a heavy paraphrase is one case whose source span runs from the first to the last source sentence "
            "used. A summary's sentences are not contiguous in the source, so each summary sentence and its "
            "source sentence make a case. The sentence-level pairs of reworded text (each rewritten sentence or "
            "merged pair <-> its source sentences) are kept too: the column `plagdet, sentence-level cases` "
            "scores the same detections against them (for verbatim, light and two-sources leaks they are the "
            "passage cases). Positives are embedded among 1–3 paragraphs of held-out filler.", "",
            "- `verbatim`: a copied stretch of 25, 50, 100, 200 or 300 words starting at a sentence; excerpts whose "
            "word 8-grams occur in another registered document (over 5%) are redrawn, so the true source is unique.",
            f"- `light`: the same with ~5% of the words edited (measured {100 * gen['light_edit_rate']:.1f}%): "
            "typos (swap, drop, double, replace a letter), dropped function words, inserted words, punctuation.",
            f"- `heavy`: a stretch of consecutive sentences rewritten to 100–160, 170–230 or 240–300 words (drawn "
            "again until the result falls in its range): ~15% of clauses deleted "
            f"(measured {100 * gen['heavy_clauses_dropped']:.0f}%), 40–60% of content words replaced by a WordNet "
            f"3.0 synonym of their most frequent senses, inflected (measured {100 * gen['heavy_synonym_rate']:.0f}% "
            "of content words; words with no usable synonym stay), ~30% of neighbouring sentences merged, "
            "neighbours swapped with probability 0.35. WordNet: Debian `wordnet-base`, data files parsed by "
            "bench/reuse.py (WordNet 3.0 licence, Princeton University).",
            f"- `summary`: 3–5 sentences picked across a 400–700-word stretch, each compressed (parentheses, "
            f"leading and trailing subordinate clauses, adjective-only words dropped; measured length "
            f"{100 * gen['summary_compression']:.0f}% of the originals).",
            "- `two-sources`: verbatim passages of 50–150 words from two documents with filler between; both "
            "must be found.",
            "- `quoted`: 1–3 held-out paragraphs with one 12–40-word sentence of a registered document inside "
            "quotation marks (\"As the documentation puts it, \\\"...\\\"\"): quoting a document is leaking it, "
            "so the right answer is `derived` and the quoted document.",
            "- negatives (no case): `neg-topic`, 150–400 words of a held-out documentation page (same subject "
            "matter and vocabulary, never registered), no text twice; there are more of them than held-out pages, "
            "so excerpts of one page can overlap, and the interval of the false source rate, which assumes "
            "independent trials, is on the optimistic side; `neg-quote`, 1–3 held-out paragraphs quoting, in "
            "quotation marks, a public statement that a registered document quotes too (below). The right "
            "answer is any verdict but `derived`; for `neg-quote` it should be `shared_quotation`.", ""]
    out += ["### Measures", "",
            "Character-level PAN measures (Potthast et al. 2010, \"An Evaluation Framework for Plagiarism "
            "Detection\"; PAN 2013 text alignment), bench/pan_metrics.py: a detection is one passage pair that "
            "`search` returns (kind `shared_quotation` excluded: it is not a claim of derivation); it detects a "
            "case when both concern the same leak and source document and overlap on both sides. Macro precision "
            "and recall average over detections and cases the characters in common (leak side + source side); "
            "granularity is the mean number of detections per detected case; plagdet = F1 / log2(1 + "
            "granularity). Rows are scored on their own leaks; the overall row pools all leaks, negatives "
            "included (their detections count against precision).", "",
            "Top-1 = verdict `derived` and `sources[0]` is the true source (two-sources: both true sources "
            "among `sources`). `ranked 1st` drops the verdict condition. False source rate = share of negatives "
            "with verdict `derived`.", ""]
    rows = []
    for name in (*POSITIVES, "all positives", "overall (with negatives)"):
        if name not in t:
            continue
        x = t[name]
        p = x["positives"]
        rows.append([name, LABELS.get(name, ""), x["n"], x["cases"], fmt_pct(x["top1"], p) if p else "-",
                     fmt_pct(x["ranked_first"], p) if p else "-", f3(x["precision"]), f3(x["recall"]),
                     f3(x["granularity"]), f"**{f3(x['plagdet'])}**", x["detections"],
                     f"{f3(x['plagdet_sentence'])} (granularity {f3(x['granularity_sentence'])})",
                     f"{x['ms_median']:.0f}"])
    out += [f"### Results by difficulty ({qs:,} documents registered)", "",
            md_table(["difficulty", "what", "leaks", "cases", "top-1", "ranked 1st", "precision", "recall",
                      "granularity", "plagdet", "detections", "plagdet, sentence-level cases",
                      "search ms (median)"], rows), ""]
    brow = []
    for d in ("verbatim", "light", "heavy"):
        for b, n, k, k2 in by_bin(recs, d):
            label = next((f"{lo}–{hi}" for lo, hi in HEAVY_BINS if lo == b), b) if d == "heavy" else b
            brow.append([d, label, n, ci(k, n), fmt_pct(k2, n)])
    out += ["Top-1 by length:", "", md_table(["difficulty", "words", "leaks", "top-1", "ranked 1st"], brow), ""]
    vrows = []
    for name in POSITIVES:
        if name in t:
            v = t[name]["verdicts"]
            vrows.append([name] + [v.get(k, 0) for k in VERDICTS])
    out += ["Verdicts on the positives:", "", md_table(["difficulty", *VERDICTS], vrows), ""]
    nrows = []
    for kind, x in neg.items():
        v = x["verdicts"]
        nrows.append([kind, LABELS.get(kind, ""), x["n"], f"{x['words_median']:.0f}",
                      *[v.get(k, 0) for k in VERDICTS],
                      f"**{fmt_pct(x['false'], x['n'])}** (≤{100 * x['upper']:.1f}%)", x["detections"],
                      (f"{x['quoted_named']}/{x['n']}" if kind == "neg-quote" else "")])
    out += [f"### Negatives ({qs:,} documents registered)", "",
            md_table(["negatives", "text", "leaks", "words (median)", *VERDICTS,
                      "false source rate (95% upper, Clopper–Pearson)", "detections",
                      "quoted document among sources"], nrows), ""]
    if big_recs:
        tb = tally(big_recs)
        nb = neg_tally(big_recs)
        same = {r["key"]: r for r in recs}
        rows = []
        for d in ("verbatim", "heavy"):
            rs = [r for r in big_recs if r["difficulty"] == d]
            if rs:
                before = sum(top1(same[r["key"]]) for r in rs if r["key"] in same)
                x = tb[d]
                rows.append([d, len(rs), ci(x["top1"], len(rs)), fmt_pct(before, len(rs)), f3(x["plagdet"]),
                             f"{x['ms_median']:.0f}"])
        for kind in ("neg-topic", "neg-quote"):
            if kind in nb:
                x = nb[kind]
                rs = [r for r in big_recs if r["difficulty"] == kind]
                before = sum(false_source(same[r["key"]]["verdict"]) for r in rs if r["key"] in same)
                rows.append([kind, x["n"], f"false source {fmt_pct(x['false'], x['n'])} (≤{100 * x['upper']:.1f}%)",
                             f"false source {fmt_pct(before, x['n'])}", "-", f"{x['ms_median']:.0f}"])
        out += [f"### The same leaks at {big:,} documents", "",
                md_table(["leaks", "n", f"top-1 at {big:,}", f"top-1 at {qs:,} (same leaks)", "plagdet",
                          "search ms (median)"], rows), ""]
    srows = []
    for st in meta["stages"]:
        lv, lh = st["latency_verbatim"], st["latency_heavy"]
        srows.append([f"{st['docs']:,}", f"{st['added']:,} ({st['real']:,} real, {st['synthetic']:,} synthetic)",
                      f"{st['index_s']:.1f} s", f"**{st['rate']:,.0f}**",
                      f"{lv['median_ms']:.0f} / {lv['p95_ms']:.0f}", f"{lv['top1']}/{lv['n']}",
                      f"{lh['median_ms']:.0f} / {lh['p95_ms']:.0f}", f"{lh['top1']}/{lh['n']}",
                      f"{st['workspace_bytes'] / 1e6:,.0f} MB" if "workspace_bytes" in st else "-",
                      f"{st['loadavg']:.1f}" if "loadavg" in st else "not recorded"])
    out += ["### Throughput and latency", "",
            "Indexing: documents per second through `ws.add_documents` (batches of 1,000, one transaction each; "
            "generating the distractors is not timed). Latency: `ws.search` on bare leaks (no filler) from "
            "registered real documents, after one warm-up query. The machine's load average is recorded "
            f"because other work shares its {meta['machine']['nproc']} CPUs; a load above the CPU count slows "
            "every timing here.", "",
            md_table(["documents registered", "added in this stage", "add_documents time", "documents/s",
                      "200-word verbatim: median / p95 ms", "top-1", "140–160-word heavy paraphrase: median / p95 ms",
                      "top-1", "workspace on disk", "load average (1 min) at stage end"], srows), ""]
    if meta.get("offset_check"):
        oc = meta["offset_check"]
        out += [f"Offsets: for {oc.get('leak_checked', 0):,} passages the leak span selected exactly the "
                f"passage's `leak_text` ({oc.get('leak_mismatch', 0)} mismatches); for "
                f"{oc.get('doc_checked', 0):,} the document span selected exactly its `doc_text` in the text we "
                f"registered ({oc.get('doc_mismatch', 0)} mismatches).", ""]
    out += postgres_section(meta)
    out += ["### Targets", "", md_table(["target", "goal", "measured", "status", "by how much",
                                         "why (measured facts)"], targets(meta, recs, t, neg)), ""]
    return "\n".join(out)


def postgres_section(meta: dict) -> list[str]:
    pg = meta.get("postgres")
    if not pg:
        return []
    out = ["### On a PostgreSQL server", ""]
    if "skipped" in pg:
        return out + [f"Not run: {pg['skipped']}.", ""]
    recs = pg["records"]
    pos = [r for r in recs if r["difficulty"] in POSITIVES]
    negs = [r for r in recs if r["difficulty"] not in POSITIVES]
    lv, lh = pg["latency_verbatim"], pg["latency_heavy"]
    out += [f"The quality stage again, with the workspace's data in PostgreSQL ({pg['server']}, a throwaway "
            "cluster on this machine reached through a Unix socket, tests/pgserver.py; fsync off, as a test "
            "server): the same documents registered in the same order, the same latency queries, and the first "
            f"{PG_PER_KIND} leaks of every difficulty run again and compared with the SQLite answers.", "",
            md_table(["documents", "documents/s", "200-word verbatim: median / p95 ms", "top-1",
                      "140–160-word heavy: median / p95 ms", "top-1", "leaks compared", "same verdict as SQLite",
                      "same first source", "top-1 (positives)", "false source (negatives)"],
                     [[f"{pg['docs']:,}", f"**{pg['rate']:,.0f}**", f"{lv['median_ms']:.0f} / {lv['p95_ms']:.0f}",
                       f"{lv['top1']}/{lv['n']}", f"{lh['median_ms']:.0f} / {lh['p95_ms']:.0f}",
                       f"{lh['top1']}/{lh['n']}", f"{pg['compared']}", f"{pg['same_verdict']}/{pg['compared']}",
                       f"{pg['same_first']}/{pg['compared']}",
                       f"{sum(top1(r) for r in pos)}/{len(pos)}",
                       f"{sum(false_source(r['verdict']) for r in negs)}/{len(negs)}"]]), ""]
    return out


def targets(meta: dict, recs: list[dict], t: dict, neg: dict) -> list[list[str]]:
    rows = []

    def status(ok: bool | None) -> str:
        return "not run" if ok is None else ("met" if ok else "**missed**")

    def rate_row(label, rs, goal):
        n = len(rs)
        if not n:
            return [label, f"≥ {100 * goal:g}%", "not run", status(None), "", ""]
        k = sum(top1(r) for r in rs)
        ok = k / n >= goal
        return [label, f"≥ {100 * goal:g}%", ci(k, n), status(ok),
                "" if ok else f"short by {100 * (goal - k / n):.1f} points", "" if ok else miss_facts(rs)]

    rows.append(rate_row("document top-1, verbatim excerpts of 25+ words",
                         [r for r in recs if r["difficulty"] == "verbatim"], 0.995))
    rows.append(rate_row("document top-1, heavy paraphrase of 100+ words",
                         [r for r in recs if r["difficulty"] == "heavy" and r["words"] >= 100], 0.95))
    x = t.get("overall (with negatives)")
    if x:
        ok = x["plagdet"] >= 0.85
        why = ""
        if not ok:
            parts = [f"precision {f3(x['precision'])} ({x['outside']:,} of {x['detections']:,} detections lie "
                     "outside every case: on filler or negatives, or naming another document), recall "
                     f"{f3(x['recall'])}, granularity {f3(x['granularity'])}"]
            worst = sorted((t[d]["plagdet"], d) for d in POSITIVES if d in t)
            parts.append("by difficulty: " + ", ".join(
                f"{d} {f3(p)} (P {f3(t[d]['precision'])}, R {f3(t[d]['recall'])} = leak side "
                f"{f3(t[d]['recall_leak'])} / source side {f3(t[d]['recall_src'])}, granularity "
                f"{f3(t[d]['granularity'])}: median {t[d]['per_case_median']:g}, max {t[d]['per_case_max']} "
                "passages per detected case)" for p, d in worst))
            why = "; ".join(parts)
        rows.append(["plagdet, all leaks", "≥ 0.85", f3(x["plagdet"]), status(ok),
                     "" if ok else f"{x['plagdet'] - 0.85:+.3f}", why])
    a = neg.get("all negatives")
    if a:
        ok = a["false"] / a["n"] <= 0.01
        why = "" if ok else "; ".join(f"{k}: {v['false']}/{v['n']} derived" for k, v in neg.items()
                                       if k != "all negatives")
        rows.append(["false source rate on negatives", "≤ 1%",
                     f"{fmt_pct(a['false'], a['n'])} ({a['false']}/{a['n']}; 95% upper {100 * a['upper']:.2f}%)",
                     status(ok), "" if ok else f"{100 * (a['false'] / a['n'] - 0.01):.1f} points over", why])
    last = meta["stages"][-1]
    if last["docs"] >= 100_000:
        lv, lh = last["latency_verbatim"], last["latency_heavy"]
        worst = max(lv["median_ms"], lh["median_ms"])
        ok = worst <= 500
        rows.append([f"query latency, {last['docs']:,} documents (median)", "≤ 500 ms",
                     f"verbatim 200 words {lv['median_ms']:.0f} ms (p95 {lv['p95_ms']:.0f}); heavy 140–160 words "
                     f"{lh['median_ms']:.0f} ms (p95 {lh['p95_ms']:.0f})", status(ok),
                     "" if ok else f"{worst - 500:.0f} ms over",
                     "" if ok else "medians by stage: " + ", ".join(
                         f"{s['docs']:,}: {s['latency_verbatim']['median_ms']:.0f}/"
                         f"{s['latency_heavy']['median_ms']:.0f} ms"
                         for s in meta["stages"])])
    else:
        rows.append(["query latency, 100,000 documents (median)", "≤ 500 ms", "not run (largest stage "
                     f"{last['docs']:,}: {last['latency_verbatim']['median_ms']:.0f} ms verbatim, "
                     f"{last['latency_heavy']['median_ms']:.0f} ms heavy)", status(None), "", ""])
    rates = [(s["rate"], s["docs"]) for s in meta["stages"]]
    low, at = min(rates)
    ok = low >= 200
    why = ""
    if not ok:
        nproc = meta["machine"]["nproc"] or 1
        facts = []
        for s_ in meta["stages"]:
            f = f"{s_['rate']:,.0f}/s while growing to {s_['docs']:,}"
            extra = []
            if "workspace_bytes" in s_:
                extra.append(f"{s_['workspace_bytes'] / 1e6:,.0f} MB on disk")
            if "loadavg" in s_:
                extra.append(f"load average {s_['loadavg']:.1f} at the end")
            facts.append(f + (f" ({', '.join(extra)})" if extra else ""))
        why = "by stage: " + "; ".join(facts)
        rs = [s_["rate"] for s_ in meta["stages"]]
        if len(rs) > 1 and all(a > b for a, b in zip(rs, rs[1:])):
            why += "; the rate falls at every stage as the workspace grows"
        busy = [s_ for s_ in meta["stages"] if s_.get("loadavg", 0) > 0.75 * nproc + 0.5]
        if busy:
            why += ("; other jobs shared the " + str(nproc) + " CPUs during the stage(s) to "
                    + ", ".join(f"{s_['docs']:,}" for s_ in busy) + " (load average above the benchmark's own 1)")
    rows.append(["indexing throughput (`add_documents`), slowest stage", "≥ 200 documents/s",
                 f"{low:,.0f} documents/s (stage to {at:,}); " + ", ".join(f"{r:,.0f}/s to {d:,}" for r, d in rates),
                 status(ok), "" if ok else f"{100 * (1 - low / 200):.0f}% slower", why])
    return rows


# ------------------------------------------------------------------------------ main

def check_deps(args) -> tuple[Path, Path] | None:
    import reuse

    html = reuse.find_html_root(args.html_root)
    wn = reuse.find_wordnet(args.wordnet)
    missing = [name for name, p in (("python3-doc", html), ("wordnet-base", wn)) if p is None]
    if missing:
        print(f"pan.py: missing {' and '.join(missing)}: run `bash scripts/bench-deps.sh` "
              f"(as root, or: sudo apt-get install {' '.join(missing)})", file=sys.stderr)
        return None
    return html, wn


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1,000 documents, few leaks (under 3 minutes)")
    ap.add_argument("--results", help="where to write the markdown section (default bench/PAN.md; "
                                      "--quick writes none unless given)")
    ap.add_argument("--json", help="raw tallies (default bench/pan.json; --quick saves none unless given)")
    ap.add_argument("--report-from", metavar="JSON", help="only re-render the markdown from saved tallies")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every leak count by this")
    ap.add_argument("--sizes", help="comma-separated document counts of the stages (default 1000,10000,100000)")
    ap.add_argument("--html-root", help="the Python HTML documentation (default: python3-doc's)")
    ap.add_argument("--wordnet", help="WordNet database folder (default /usr/share/wordnet)")
    ap.add_argument("--semantic", action="store_true",
                    help="build the optional semantic index after the first stage (every later document "
                         "is embedded as it is registered: slow, use with --sizes 1000 or 1000,10000)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary workspace")
    ap.add_argument("--no-postgres", action="store_true",
                    help="skip the stage on a throwaway PostgreSQL server (needs Debian's postgresql and psycopg)")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    if args.report_from:
        data = json.loads(Path(args.report_from).read_text(encoding="utf-8"))
        md = render(data["meta"], data["records"])
        print(md)
        if args.results:
            Path(args.results).write_text(md + "\n", encoding="utf-8")
        return 0

    paths = check_deps(args)
    if paths is None:
        return 2
    html_root, wn_root = paths
    import reuse
    from leaktrace import Workspace

    if not hasattr(Workspace, "search"):
        print("pan.py: this leaktrace has no Workspace.search yet", file=sys.stderr)
        return 2
    started = time.perf_counter()
    load0 = os.getloadavg()[0]
    commit = git_commit()
    when = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    if args.sizes:
        sizes = [int(x) for x in args.sizes.split(",")]
    else:
        sizes = [1000] if args.quick else [1000, 10_000, 100_000]
    quality_stage = sizes[0] if args.quick or len(sizes) == 1 else sizes[1]
    counts = {k: max(1, int(round(v * args.scale))) for k, v in (QUICK if args.quick else FULL).items()}
    n_lat = 10 if args.quick else 40
    results_path = Path(args.results) if args.results else (None if args.quick else HERE / "PAN.md")
    json_path = Path(args.json) if args.json else (None if args.quick else HERE / "pan.json")

    log(f"corpus from {html_root}")
    corpus = reuse.build_corpus(html_root, SEED, log=log)
    wordnet = reuse.WordNet(wn_root)
    doc_key = {d.key: d for d in corpus.registered}
    first_pool = min(sizes[0], len(corpus.registered))
    qpool = min(quality_stage, len(corpus.registered))
    maker = reuse.LeakMaker(corpus, wordnet, SEED, pool=qpool)
    t0 = time.perf_counter()
    leaks = make_leaks(maker, counts, args.quick)
    log(f"{len(leaks):,} leaks built in {time.perf_counter() - t0:.1f} s: "
        + ", ".join(f"{k} {v}" for k, v in Counter(lk.difficulty for lk in leaks).items()))
    gen = {
        "light_edit_rate": statistics.mean(lk.meta["edit_rate"] for lk in leaks if lk.difficulty == "light"),
        "heavy_synonym_rate": statistics.mean(lk.meta["synonym_rate"] for lk in leaks if lk.difficulty == "heavy"),
        "heavy_clauses_dropped": statistics.mean(lk.meta["clauses_dropped"] for lk in leaks
                                                 if lk.difficulty == "heavy"),
        "summary_compression": statistics.mean(lk.meta["compression"] for lk in leaks if lk.difficulty == "summary"),
    }

    tmp = Path(tempfile.mkdtemp(prefix="leaktrace-pan-"))
    log(f"work folder {tmp}")
    stages, records = [], []
    check: Counter = Counter()
    try:
        ws = Workspace.create(tmp / "ws", key=hashlib.sha256(f"{SEED}:ws".encode()).digest())
        reg = Registry(ws)
        next_synth = [0]
        lat_cache: dict[int, tuple] = {}
        semantic = False
        for size in sizes:
            log(f"stage: {size:,} documents")
            st = grow(reg, corpus, size, next_synth)
            if args.semantic and not semantic:
                t1 = time.perf_counter()
                n = ws.build_semantic_index()
                semantic = True
                st["semantic_build_s"] = time.perf_counter() - t1
                log(f"  semantic index: {n} passages in {st['semantic_build_s']:.0f} s")
            doc_text = {reg.id_of[k]: d.text for k, d in doc_key.items() if k in reg.id_of}
            pool = min(size, len(corpus.registered), first_pool if size == sizes[0] else len(corpus.registered))
            if pool not in lat_cache:
                lm = reuse.LeakMaker(corpus, wordnet, SEED + ":latency", pool=pool)
                lat_cache[pool] = lm.latency_queries(n_lat)
            qv, qh = lat_cache[pool]
            st["latency_verbatim"] = latency(ws, qv, reg)
            st["latency_heavy"] = latency(ws, qh, reg)
            log(f"  search latency: verbatim median {st['latency_verbatim']['median_ms']:.0f} ms, heavy median "
                f"{st['latency_heavy']['median_ms']:.0f} ms")
            run = leaks if size == quality_stage else (rerun_subset(leaks) if size > quality_stage else [])
            if run:
                log(f"  running {len(run):,} leaks")
                t1 = time.perf_counter()
                for i, lk in enumerate(run, 1):
                    rec = run_leak(ws, lk, reg, doc_text, check, size)
                    if lk.difficulty == "neg-quote":
                        rec["meta"]["quoted_id"] = reg.id_of.get(lk.meta["quoted"]["doc"])
                    records.append(rec)
                    if i % 250 == 0:
                        log(f"    {i:,}/{len(run):,} ({(time.perf_counter() - t1) / i * 1000:.0f} ms per leak)")
                st["leaks_s"] = time.perf_counter() - t1
            st["loadavg"] = os.getloadavg()[0]
            st["workspace_bytes"] = sum(f.stat().st_size for f in (tmp / "ws").rglob("*") if f.is_file())
            stages.append(st)
        ws.close()
        pg = None
        if not args.no_postgres:
            log(f"stage on PostgreSQL: {quality_stage:,} documents")
            pool = min(quality_stage, len(corpus.registered))
            pg = postgres_stage(corpus, quality_stage, leaks, lat_cache.get(pool) or next(iter(lat_cache.values())),
                                records, tmp)
            if "skipped" in pg:
                log(f"  skipped: {pg['skipped']}")
            else:
                log(f"  {pg['rate']:,.0f} documents/s; same verdict {pg['same_verdict']}/{pg['compared']}, "
                    f"same first source {pg['same_first']}/{pg['compared']}")
    finally:
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    elapsed = time.perf_counter() - started
    meta = {"quick": args.quick, "when": when, "elapsed_s": elapsed, "seed": SEED, "commit": commit,
            "argv": sys.argv[1:] if argv is None else list(argv), "machine": machine(), "corpus": corpus.stats,
            "python_doc_version": _doc_version(html_root), "generation": gen, "counts": counts,
            "quality_stage": quality_stage, "stages": stages, "bulk": reg.bulk, "semantic": args.semantic,
            "offset_check": dict(check), "loadavg_start": load0, "loadavg_end": os.getloadavg()[0],
            "postgres": pg}
    if json_path is not None:
        json_path.write_text(json.dumps({"meta": meta, "records": records}, separators=(",", ":")) + "\n",
                             encoding="utf-8")
        log(f"wrote {json_path}")
    md = render(meta, records)
    print(md)
    if results_path is not None:
        results_path.write_text(md + "\n", encoding="utf-8")
        log(f"wrote {results_path}")
    log(f"done in {elapsed / 60:.1f} min")
    return 0


def _doc_version(html_root: Path) -> str:
    import re

    try:
        m = re.search(r"Python ([0-9.]+) documentation", (html_root / "index.html").read_text(errors="replace"))
        return m.group(1) if m else ""
    except OSError:
        return ""


if __name__ == "__main__":
    sys.exit(main())
