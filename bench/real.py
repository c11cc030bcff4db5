"""Real-document benchmark (issue 13): identification rates on pages of the 18F handbook.

    python bench/real.py                 # full run (about 20 minutes on 2 cores): bench/REAL.md + bench/real.json
    python bench/real.py --quick         # 3 trials per cell (under 3 minutes); prints only
    python bench/real.py --trials 20     # 20 trials in every cell
    python bench/real.py --report-from bench/real.json   # re-render the section from saved tallies

The documents are real prose, not ``corpus.make_document``: pages of the 18F handbook
(public domain; ``../shared/corpora/18f-handbook``, or ``--corpus DIR``), read in place and
never copied into the repository.  The loader drops the YAML front matter and the Liquid
template tags (``{% page "/x/" %}`` becomes the link target ``/x/``, ``{% slack_channel "c" %}``
becomes ``#c``, comment blocks go with their content, every other ``{% ... %}`` and
``{{ ... }}`` is removed): ``{{a|b}}`` in a registered document would be an author-declared
alternative, and this benchmark measures the automatic channels only (checked: no page
has a declared site).

Set-up: ``PAGES`` pages of 600-2,500 words, chosen deterministically (the longest pages,
for collusion leaks of 2,000 words, then every k-th remaining page in path order, which
spreads them over the handbook's folders), registered as Markdown in one workspace with
1,000 recipients (seeded key, ``workspaces.make_workspace``) and marked for all of them.
The eligible pages not registered give the same-topic negatives.

One trial (all randomness from ``random.Random(f"{TRIAL_SEED}:{cell}:{t}")``): a page among
the registered pages long enough for the cell, the leaker(s) among the 1,000 recipients, an
excerpt of the copy (the window of words is drawn on the original and mapped into the copy,
``grid.base_window`` / ``grid.window``), the transformation (``grid.transform``:
``leaktrace.simulate``), then ``ws.trace(leak, audit=False)``.  Outcomes as in bench/grid.py:
**correct** (a leaker's copy of that page identified, and no other copy of any document),
**false** (any identified copy that is not a leaker's copy of that page), **inconclusive**
(anything else; ``no_match`` counted apart).  Negatives (the unmarked original, an excerpt
of an unregistered handbook page): anything identified is a false accusation.

Also recorded per trial: marks read and covered by channel, the reads that agree with the
leaker's codeword, and the marks the bound needs for this leak: ``score.sites_needed`` at
the mean leaker gain of the sites read (what ``trace`` uses for its "more words" advice).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
import random
import re
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for _p in (str(HERE), str(ROOT / "src")):
    if _p not in sys.path:
        sys.path.insert(0, _p)

from report import Target as TargetRow  # noqa: E402
from report import md_table, targets_table  # noqa: E402
from runinfo import git_commit, log, machine, save_and_render  # noqa: E402
from stats import clopper_pearson, fmt_pct, fmt_upper  # noqa: E402

SEED = "leaktrace-bench-v1"            # workspace seed (key derivation), as bench/run.py
TRIAL_SEED = "leaktrace-bench-real-v1"
CORPUS = ROOT.parent / "shared" / "corpora" / "18f-handbook"
RECIPIENTS = 1000
PAGES = 24
LONGEST = 6                 # the longest eligible pages are always registered (collusion, 2,000 words)
MIN_WORDS, MAX_WORDS = 600, 2500
LEAKS = ("verbatim", "sanitized", "retyped", "edited")
LENGTHS = (300, 500, 1000)
COLLUSION_WORDS = 2000
MODES = ("majority", "random", "interleave")
CHANNELS = ("invisible", "typographic", "lexical", "declared")
# the targets on automatic channels, 1,000 recipients: (leak, words, goal)
TARGETS = (("retyped", 1000, 0.95), ("sanitized", 500, 0.95), ("edited", 1000, 0.90))
# and with every keeps-meaning suggestion of `suggest` accepted: (cell key, label, goal)
SUGGESTED_TARGETS = (("retyped/300/k1/-/-/s", "retyped, 300 words", 0.90),
                     ("retyped/200/k1/-/-/s/x3", "a series of three 200-word retyped leaks of one copy, joint", 0.90),
                     ("retyped/2000/k2/random/-/s", "collusion of 2 (random mix), retyped, 2,000 words", 0.90))
LEXICAL_GOAL = 6            # lexical sites per 100 words, median page (issue 13, part 2)


# ---------------------------------------------------------------------------- the corpus

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n.*?\n---[ \t]*\n", re.S)
_COMMENT = re.compile(r"\{%-?\s*comment\s*-?%\}.*?\{%-?\s*endcomment\s*-?%\}", re.S)
_RAW = re.compile(r"\{%-?\s*raw\s*-?%\}.*?\{%-?\s*endraw\s*-?%\}", re.S)
_PAGE_TAG = re.compile(r"\{%-?\s*page\s+[\"']([^\"']*)[\"'][^%]*%\}")
_SLACK_TAG = re.compile(r"\{%-?\s*slack_channel\s+[\"']([^\"']*)[\"'][^%]*%\}")
_TAG = re.compile(r"\{%.*?%\}", re.S)
_OUTPUT = re.compile(r"\{\{.*?\}\}", re.S)


def load_page(path: Path) -> str:
    """A handbook page as Markdown without front matter or Liquid (see the module doc)."""
    text = path.read_text(encoding="utf-8")
    text = _FRONT_MATTER.sub("", text, count=1)
    text = _COMMENT.sub("", text)
    text = _RAW.sub("", text)          # one page shows Liquid source inside {% raw %}
    text = _PAGE_TAG.sub(lambda m: m.group(1), text)
    text = _SLACK_TAG.sub(lambda m: "#" + m.group(1), text)
    text = _TAG.sub("", text)
    text = _OUTPUT.sub("", text)
    # what is left of Liquid must not reach leaktrace: "{{" opens a declared alternative
    if "{{" in text or "{%" in text:
        raise ValueError(f"{path}: Liquid left after stripping")
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


@dataclass(frozen=True)
class Page:
    path: str      # relative to the corpus folder, as in MANIFEST.tsv
    words: int     # words of the loaded text (whitespace-separated)

    @property
    def key(self) -> str:
        return self.path.removesuffix(".md").replace("/", "__")


def corpus_pages(corpus: Path) -> tuple[list[Page], dict[str, str], str]:
    """Every page of MANIFEST.tsv (loaded), its text by path, and the corpus's source commit(s)."""
    rows = [line.split("\t") for line in (corpus / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
            if line.strip()]
    pages, texts, commits = [], {}, set()
    for row in rows:
        path = row[0]
        text = load_page(corpus / path)
        texts[path] = text
        pages.append(Page(path, len(text.split())))
        if len(row) >= 4:
            commits.add(f"{row[1]}@{row[3][:12]}")
    pages.sort(key=lambda p: p.path)
    return pages, texts, ", ".join(sorted(commits)) or "unknown"


def choose_pages(pages: list[Page], n: int = PAGES) -> tuple[list[Page], list[Page]]:
    """(registered, unregistered eligible): the LONGEST longest pages of 600-2,500 words, then
    every k-th remaining eligible page in path order (spread over the folders)."""
    eligible = [p for p in pages if MIN_WORDS <= p.words <= MAX_WORDS]
    if len(eligible) < n:
        raise SystemExit(f"only {len(eligible)} pages of {MIN_WORDS}-{MAX_WORDS} words in the corpus; need {n}")
    longest = sorted(eligible, key=lambda p: (-p.words, p.path))[:min(LONGEST, n)]
    rest = [p for p in eligible if p not in longest]
    k = n - len(longest)
    picked = [rest[int(i * len(rest) / k)] for i in range(k)] if k else []
    chosen = set(longest) | set(picked)
    registered = [p for p in eligible if p in chosen]
    return registered, [p for p in eligible if p not in chosen]


# ---------------------------------------------------------------------------- cells

@dataclass(frozen=True)
class RealCell:
    leak: str                      # verbatim | sanitized | retyped | edited
    words: int | None              # excerpt length; None = the whole page
    trials: int
    k: int = 1                     # colluders
    mode: str | None = None        # collusion mode
    negative: str | None = None    # None | "original" | "same-topic" | "three-copies" (a series)
    suggested: bool = False        # on the pages with every keeps-meaning suggestion accepted
    series: int = 1                # leaks in a series, scored jointly (case joint)

    @property
    def kind(self) -> str:
        if self.suggested:
            return "suggested"
        return "negative" if self.negative else ("collusion" if self.k > 1 else "single")

    @property
    def key(self) -> str:
        parts = [self.leak, "page" if self.words is None else str(self.words), f"k{self.k}",
                 self.mode or "-", self.negative or "-"]
        if self.suggested:
            parts.append("s")
        if self.series > 1:
            parts.append(f"x{self.series}")
        return "/".join(parts)

    @property
    def words_label(self) -> str:
        return "whole page" if self.words is None else f"{self.words:,}"


def plan(quick: bool, trials: int | None, scale: float = 1.0) -> list[RealCell]:
    """The cells. Full run (about 20 minutes on 2 busy cores): 300 trials in the three target
    cells, 60 in every other cell. --quick: 3 per cell. --trials N: N everywhere."""
    def n(default: int) -> int:
        if quick:
            return 3
        if trials is not None:
            return trials
        return max(1, int(round(default * scale)))

    target_cells = {(leak, w) for leak, w, _ in TARGETS}
    cells = [RealCell(leak, w, n(300 if (leak, w) in target_cells else 60)) for leak in LEAKS for w in LENGTHS]
    cells += [RealCell("retyped", COLLUSION_WORDS, n(60), k=k, mode=m) for k in (2, 3) for m in MODES]
    cells += [RealCell("verbatim", 500, n(60), negative="original"),
              RealCell("retyped", 1000, n(60), negative="original"),
              RealCell("verbatim", None, n(60), negative="original"),
              RealCell("verbatim", 500, n(60), negative="same-topic"),
              RealCell("retyped", 1000, n(60), negative="same-topic")]
    # with every keeps-meaning suggestion accepted (issue 13's second set of targets)
    cells += [RealCell("retyped", 300, n(100), suggested=True),
              RealCell("retyped", 1000, n(60), suggested=True),
              RealCell("retyped", 200, n(60), suggested=True, series=3),
              RealCell("retyped", 200, n(60), suggested=True, series=3, negative="three-copies")]
    cells += [RealCell("retyped", COLLUSION_WORDS, n(30), k=2, mode=m, suggested=True) for m in MODES]
    return cells


# ---------------------------------------------------------------------------- one trial

def _result_for(tr, doc_id: str):
    """The part of a trace result about one document (the top one or one of other_sources)."""
    for r in [tr, *tr.other_sources]:
        if r.document is not None and r.document.get("id") == doc_id:
            return r
    return None


def _identified(tr) -> list[tuple[str, str]]:
    """(document id, recipient) of every identified copy, over every source the trace read."""
    out = []
    for r in [tr, *tr.other_sources]:
        did = r.document.get("id") if r.document else None
        out += [(did, c.recipient) for c in r.copies if c.identified]
    return out


def run_trial(cell: RealCell, t: int, ctx: dict) -> dict:
    import numpy as np
    from grid import base_window, transform, window

    from leaktrace import simulate
    from leaktrace.marks.score import leaker_gain, sites_needed

    if cell.suggested:
        ctx = ctx["suggested"]
    if cell.series > 1:
        return run_series_trial(cell, t, ctx)
    rng = random.Random(f"{TRIAL_SEED}:{cell.key}:{t}")
    systems, ids = ctx["systems"], ctx["ids"]
    if cell.negative == "same-topic":
        pool = [p for p in ctx["unregistered"] if cell.words is None or p.words >= cell.words]
    elif cell.k > 1:
        pool = ctx["collusion_pages"]
    else:
        pool = [p for p in ctx["registered"] if cell.words is None or p.words >= cell.words]
    page = rng.choice(pool)
    leakers = rng.sample(ids, cell.k) if not cell.negative else []
    seeds = {name: rng.getrandbits(64) for name in ("mix", "excerpt", "transform")}
    if cell.negative == "same-topic":
        text = ctx["texts"][page.path]
        if cell.words is not None:
            a, b = base_window(text, cell.words, random.Random(seeds["excerpt"]))
            text = text[a:b]
        doc_id, sysm = None, None
    else:
        sysm = systems[page.key]
        doc_id = sysm.doc_id
        if cell.negative == "original":
            cw = np.zeros(len(sysm.sites), dtype=np.int8)        # the unmarked original
            full = sysm.render(cw)
        elif cell.k == 1:
            cw = sysm.codeword(leakers[0])
            full = sysm.copy(leakers[0])
        else:
            cw = simulate.collude(np.stack([sysm.codeword(r) for r in leakers]), sysm.qs, cell.mode,
                                  random.Random(seeds["mix"]), paragraph_of_site=sysm.paragraph_of_site)
            full = sysm.render(cw)
        text = full
        if cell.words is not None:
            a, b = base_window(sysm.base, cell.words, random.Random(seeds["excerpt"]))
            text = window(full, sysm.edits(cw), a, b)
    leak = transform(text, cell.leak, random.Random(seeds["transform"]))

    t0 = time.perf_counter()
    tr = ctx["ws"].trace(leak, audit=False)
    ms = 1000 * (time.perf_counter() - t0)
    mine = _result_for(tr, doc_id) if doc_id else None
    ident = _identified(tr)
    leaker_set = set(leakers)
    innocent = [x for x in ident if x[0] != doc_id or x[1] not in leaker_set]
    hit = {x[1] for x in ident if x[0] == doc_id and x[1] in leaker_set}
    outcome = "false" if innocent else ("correct" if hit else "inconclusive")
    rec: dict = {"cell": cell.key, "t": t, "page": page.path, "leakers": leakers, "leak_words": len(leak.split()),
                 "outcome": outcome, "verdict": tr.verdict, "all": bool(leaker_set) and hit == leaker_set,
                 "doc_ok": mine is not None, "ms": round(ms, 1)}
    if innocent:
        rec["identified"] = [f"{d}:{r}" for d, r in ident]
    src = mine if mine is not None else tr
    rec["read"] = {ch: n for ch, n in src.sites_read.items() if n}
    rec["covered"] = {ch: n for ch, n in src.sites_covered.items() if n}
    rec["aligned_words"] = src.aligned_words
    rec["more_words"] = src.more_words_needed
    if mine is not None and sysm is not None:
        rec["top1"] = bool(mine.copies) and mine.copies[0].recipient in leaker_set
        marks = np.asarray(mine.marks, dtype=np.int64).reshape(-1, 2)
        if len(marks) and leakers:
            held = np.stack([sysm.codeword(r) for r in leakers])[:, marks[:, 0]]
            rec["agree"] = int((held == marks[None, :, 1]).any(axis=0).sum())   # agrees with a leaker
        if len(marks):
            n_scored = mine.recipients_scored or len(ids)
            gain = float(leaker_gain(sysm.code.biases[marks[:, 0]]).mean())
            rec["need"] = sites_needed(gain, n_scored)
        best = next((c for c in mine.copies if c.recipient in leaker_set), None)
        if best is not None:
            rec["leaker_bound"] = best.false_accusation_bound
    return rec


def run_series_trial(cell: RealCell, t: int, ctx: dict) -> dict:
    """Three (cell.series) retyped excerpts of one page, from one copy (or, negative
    "three-copies", from three different copies), each traced, then every copy of the page
    scored over the three readings jointly, as `case joint` does."""
    from grid import base_window, transform, window

    from leaktrace.cases.series import score_jointly
    from leaktrace.marks.score import BAR, false_accusation_bound

    rng = random.Random(f"{TRIAL_SEED}:{cell.key}:{t}")
    pool = [p for p in ctx["registered"] if p.words >= cell.words * cell.series]
    page = rng.choice(pool)
    sysm = ctx["systems"][page.key]
    holders = rng.sample(ctx["ids"], cell.series if cell.negative == "three-copies" else 1)
    holders = holders * (cell.series // len(holders))
    marks, alone, ms = [], [], 0.0
    for j, who in enumerate(holders):
        seeds = {name: rng.getrandbits(64) for name in ("excerpt", "transform")}
        cw = sysm.codeword(who)
        a, b = base_window(sysm.base, cell.words, random.Random(seeds["excerpt"]))
        leak = transform(window(sysm.copy(who), sysm.edits(cw), a, b), cell.leak, random.Random(seeds["transform"]))
        t0 = time.perf_counter()
        tr = ctx["ws"].trace(leak, audit=False)
        ms += 1000 * (time.perf_counter() - t0)
        mine = _result_for(tr, sysm.doc_id)
        marks.append(list(mine.marks) if mine is not None else [])
        alone.append(any(c.identified for c in mine.copies) if mine is not None else False)
    model, readings, issued, _, scores = score_jointly(ctx["ws"], sysm.doc_id, marks)
    order = sorted(range(len(issued)), key=lambda j: -scores[j])
    named = []
    for j in order[:10]:
        if false_accusation_bound(model.log_tail(float(scores[j])), len(issued)) <= BAR:
            named.append(issued[j][0])
    leakers = set(holders) if cell.negative != "three-copies" else set()
    innocent = [r for r in named if r not in leakers]
    outcome = "false" if innocent else ("correct" if named else "inconclusive")
    rec = {"cell": cell.key, "t": t, "page": page.path, "leakers": sorted(set(holders)),
           "leak_words": cell.words * cell.series, "outcome": outcome, "verdict": "joint", "all": bool(named),
           "alone_identified": sum(alone), "ms": round(ms, 1),
           "read": {"all": int(sum((r >= 0).sum() for r in readings))},
           "top1": bool(order) and issued[order[0]][0] in set(holders)}
    if innocent:
        rec["identified"] = [f"{sysm.doc_id}:{r}" for r in named]
    return rec


# ---------------------------------------------------------------------------- running

def site_stats(pages: list[Page], systems: dict) -> dict:
    """Per registered page: words and sites by channel and by family (channel:kind before ':')."""
    out = {}
    for p in pages:
        s = systems[p.key]
        words = len(s.base.split())
        out[p.path] = {"words": words,
                       "channels": dict(Counter(x.channel.value for x in s.sites)),
                       "families": dict(Counter(f"{x.channel.value}:{x.kind.split(':', 1)[0]}" for x in s.sites)),
                       "q": dict(Counter(f"{x.channel.value}:{x.q}" for x in s.sites))}
    return out


def run(cells: list[RealCell], corpus: Path, quick: bool, progress=log) -> dict:
    """Build the workspace, run every cell, and return the tallies (``render_section`` input)."""
    import numpy as np
    from grid import OursSystem
    from workspaces import make_workspace, recipient_ids

    started = time.perf_counter()
    when = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    commit = git_commit()   # the code under test is what was imported now, at the start
    all_pages, texts, source = corpus_pages(corpus)
    registered, unregistered = choose_pages(all_pages)
    tmp = Path(tempfile.mkdtemp(prefix="leaktrace-real-"))
    records: list[dict] = []
    ws = None
    try:
        progress(f"work folder {tmp}; registering {len(registered)} handbook pages, {RECIPIENTS:,} recipients")
        docs = {p.key: texts[p.path] for p in registered}
        ws, doc_ids, timings = make_workspace(tmp, RECIPIENTS, docs, SEED, log=progress)
        for key in docs:   # the copies on disk are not needed: every trial renders its copy
            shutil.rmtree(tmp / f"copies-{key}", ignore_errors=True)
        systems = {key: OursSystem(ws, doc_id) for key, doc_id in doc_ids.items()}
        for key, s in systems.items():
            if any(x.channel.value == "declared" for x in s.sites):
                raise SystemExit(f"{key}: declared sites found; the loader must remove every {{{{...}}}}")
            if s.render(np.zeros(len(s.sites), dtype=np.int8)) != s.base:
                raise SystemExit(f"{key}: the all-zero codeword does not render the original")
        long_pages = [p for p in registered if p.words >= COLLUSION_WORDS]
        if len(long_pages) < 3:
            long_pages = sorted(registered, key=lambda p: (-p.words, p.path))[:3]
        ctx = {"ws": ws, "systems": systems, "ids": recipient_ids(RECIPIENTS), "registered": registered,
               "unregistered": unregistered, "collusion_pages": long_pages, "texts": texts}
        stats = site_stats(registered, systems)
        sugg_meta = {}
        if any(c.suggested for c in cells):
            from leaktrace import suggest as suggest_mod

            accepted, sugg_docs = {}, {}
            for p in registered:
                n_acc, original = suggest_mod.if_accepted(ws, doc_ids[p.key])
                accepted[p.path] = n_acc
                sugg_docs[p.key] = original
            progress(f"suggestions: {sum(accepted.values())} keeps-meaning proposals accepted on "
                     f"{len(registered)} pages; registering them in a second workspace")
            (tmp / "s").mkdir()
            ws2, doc_ids2, _ = make_workspace(tmp / "s", RECIPIENTS, sugg_docs, SEED + ":suggested", log=progress)
            for key in sugg_docs:
                shutil.rmtree(tmp / "s" / f"copies-{key}", ignore_errors=True)
            systems2 = {key: OursSystem(ws2, doc_id) for key, doc_id in doc_ids2.items()}
            ctx["suggested"] = {**ctx, "ws": ws2, "systems": systems2,
                                "collusion_pages": long_pages}
            sugg_meta = {"accepted": accepted, "sites": site_stats(registered, systems2)}
        total = sum(c.trials for c in cells)
        progress(f"{len(cells)} cells, {total:,} trials")
        t_run = time.perf_counter()
        for i, cell in enumerate(cells, 1):
            t_cell = time.perf_counter()
            recs = [run_trial(cell, t, ctx) for t in range(cell.trials)]
            records += recs
            oc = Counter(r["outcome"] for r in recs)
            progress(f"[{i}/{len(cells)}] {cell.key}: {len(recs)} trials in {time.perf_counter() - t_cell:.1f}s "
                     f"({dict(oc)}); {len(records):,}/{total:,} done, {time.perf_counter() - t_run:.0f}s")
    finally:
        if ws is not None:
            ws.close()
        if "ctx" in locals() and "suggested" in ctx:
            ctx["suggested"]["ws"].close()
        shutil.rmtree(tmp, ignore_errors=True)
    return {"meta": {"when": when, "quick": quick, "elapsed_s": time.perf_counter() - started, "commit": commit,
                     "machine": machine(), "seed": SEED, "trial_seed": TRIAL_SEED, "recipients": RECIPIENTS,
                     "corpus": str(corpus), "corpus_source": source, "corpus_pages": len(all_pages),
                     "eligible": len(registered) + len(unregistered), "registered": [p.path for p in registered],
                     "unregistered": len(unregistered), "collusion_pages": [p.path for p in long_pages],
                     "sites": stats, "mark_timings": timings, "argv": sys.argv[1:], "suggested": sugg_meta},
            "cells": [asdict(c) | {"key": c.key} for c in cells], "trials": records}


# ---------------------------------------------------------------------------- report

def _med(vals) -> float:
    vals = [v for v in vals if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return statistics.median(vals) if vals else float("nan")


def _f(x: float, nd: int = 0) -> str:
    if x != x:   # nan
        return "-"
    return f"{x:,.{nd}f}"


def _cells(data: dict) -> list[tuple[RealCell, list[dict]]]:
    groups = defaultdict(list)
    for r in data["trials"]:
        groups[r["cell"]].append(r)
    out = []
    for c in data["cells"]:
        cell = RealCell(c["leak"], c["words"], c["trials"], c["k"], c["mode"], c["negative"],
                        c.get("suggested", False), c.get("series", 1))
        out.append((cell, groups.get(cell.key, [])))
    return out


def _groups(data: dict, kind: str):
    """(cell, its trials, how many, their outcomes counted) of every cell of a kind that ran."""
    for cell, recs in _cells(data):
        if cell.kind == kind and recs:
            yield cell, recs, len(recs), Counter(r["outcome"] for r in recs)


def _ci(k: int, n: int) -> str:
    if not n:
        return "-"
    lo, hi = clopper_pearson(k, n)
    return f"{fmt_pct(k, n)} ({100 * lo:.0f}–{100 * hi:.0f})"


def _read(recs: list[dict]) -> str:
    """Median marks read per trial, in all and by channel: '31 (lex 29, typ 2)'."""
    tot = _med([sum(r["read"].values()) for r in recs])
    parts = [f"{ch[:3]} {_f(_med([r['read'].get(ch, 0) for r in recs]))}" for ch in CHANNELS
             if any(r["read"].get(ch) for r in recs)]
    return f"{_f(tot)}" + (f" ({', '.join(parts)})" if parts else "")


def _per100(recs: list[dict]) -> float:
    return _med([100 * sum(r["read"].values()) / r["leak_words"] for r in recs if r["leak_words"]])


def _agree(recs: list[dict]) -> float:
    return _med([100 * r["agree"] / sum(r["read"].values()) for r in recs if "agree" in r and r["read"]])


def _words_needed(r: dict) -> float | None:
    """Leak words at which this leak's read rate gives the marks the bound needs."""
    read = sum(r["read"].values())
    if not read or not r.get("need"):
        return None
    return r["need"] * r["leak_words"] / read


def site_tables(data: dict) -> tuple[str, str]:
    """Sites per 100 words on the registered pages: by channel, and by family."""
    stats = data["meta"]["sites"]
    words = sum(s["words"] for s in stats.values())

    def row(label, counts):
        per = [100 * c / s["words"] for c, s in zip(counts, stats.values())]
        return [label, f"{sum(counts):,}", _f(100 * sum(counts) / words, 2), _f(statistics.median(per), 2),
                f"{_f(min(per), 2)}–{_f(max(per), 2)}", sum(1 for c in counts if c)]

    head = ["", "sites on all pages", "per 100 words (pooled)", "per 100 words (median page)",
            "range over pages", "pages with any"]
    ch_rows = [row(ch, [s["channels"].get(ch, 0) for s in stats.values()]) for ch in CHANNELS
               if any(s["channels"].get(ch) for s in stats.values())]
    retype = [s["channels"].get("lexical", 0) + s["families"].get("typographic:dash-spacing", 0)
              for s in stats.values()]
    ch_rows.append(row("retype-robust (lexical + typographic dash-spacing)", retype))
    fams = Counter()
    for s in stats.values():
        fams.update(s["families"])
    fam_rows = [row(f"{f.split(':')[0][:3]} {f.split(':', 1)[1]}", [s["families"].get(f, 0) for s in stats.values()])
                for f, _ in sorted(fams.items(), key=lambda kv: (CHANNELS.index(kv[0].split(":")[0]), -kv[1], kv[0]))]
    return md_table(["channel"] + head[1:], ch_rows), md_table(["family (channel, kind before ':')"] + head[1:],
                                                               fam_rows)


def single_table(data: dict) -> str:
    rows = []
    for cell, recs, n, oc in _groups(data, "single"):
        rows.append([cell.leak, cell.words_label, n, len({r["page"] for r in recs}), _ci(oc["correct"], n),
                     fmt_pct(oc["inconclusive"], n), fmt_pct(sum(r["verdict"] == "no_match" for r in recs), n),
                     fmt_upper(oc["false"], n), fmt_pct(sum(bool(r.get("top1")) for r in recs), n),
                     _read(recs), _f(_per100(recs), 1), _f(_agree(recs)), _f(_med([r.get("need") for r in recs])),
                     _f(_med([_words_needed(r) for r in recs])),
                     _f(_med([r["ms"] for r in recs]))])
    return md_table(["leak", "words", "trials", "pages", "identified (95% CI)", "inconclusive", "no_match",
                     "false acc. (95% upper)", "leaker ranked 1st", "marks read, median (by channel)",
                     "marks read per 100 leak words", "reads agreeing with leaker %", "marks the bound needs",
                     "leak words needed at this read rate", "trace ms, median"], rows)


def collusion_table(data: dict) -> str:
    rows = []
    for cell, recs, n, oc in _groups(data, "collusion"):
        rows.append([cell.k, cell.mode, cell.leak, n, _f(_med([r["leak_words"] for r in recs])),
                     _ci(oc["correct"], n), fmt_pct(sum(r["all"] for r in recs), n), fmt_pct(oc["inconclusive"], n),
                     fmt_upper(oc["false"], n), fmt_pct(sum(bool(r.get("top1")) for r in recs), n), _read(recs),
                     _f(_per100(recs), 1), _f(_med([r.get("need") for r in recs])), _f(_med([r["ms"] for r in recs]))])
    return md_table(["colluders", "mix", "leak", "trials", "leak words, median", "≥1 colluder identified (95% CI)",
                     "all colluders identified", "inconclusive", "false acc. (95% upper)", "a colluder ranked 1st",
                     "marks read, median (by channel)", "marks read per 100 leak words",
                     "marks a lone leaker would need", "trace ms, median"], rows)


def negative_table(data: dict) -> str:
    rows = []
    for cell, recs, n, oc in _groups(data, "negative"):
        nm = sum(r["verdict"] == "no_match" for r in recs)
        text = "unmarked original (registered page)" if cell.negative == "original" else "unregistered handbook page"
        rows.append([text, cell.leak, cell.words_label, n, fmt_pct(nm, n), fmt_pct(oc["inconclusive"] - nm, n),
                     fmt_pct(sum(r["verdict"] != "no_match" for r in recs), n), fmt_upper(oc["false"], n),
                     _f(_med([r["ms"] for r in recs]))])
    return md_table(["text", "leak", "words", "trials", "no_match", "inconclusive", "said derived from a document",
                     "false acc. (95% upper)", "trace ms, median"], rows)


def suggested_table(data: dict) -> str:
    """The cells on the pages with every keeps-meaning suggestion accepted."""
    rows = []
    for cell, recs, n, oc in _groups(data, "suggested"):
        if cell.series > 1:
            what = (f"series of {cell.series} from {'three different copies (negative)' if cell.negative else 'one copy'}"
                    ", joint")
        elif cell.k > 1:
            what = f"collusion of {cell.k} ({cell.mode})"
        else:
            what = "one leaker"
        alone = (f"{_f(_med([r['alone_identified'] for r in recs]))} of {cell.series}" if cell.series > 1 else "-")
        rows.append([what, cell.leak, cell.words_label + (f" × {cell.series}" if cell.series > 1 else ""), n,
                     "-" if cell.negative else _ci(oc["correct"], n), fmt_pct(oc["inconclusive"], n),
                     fmt_upper(oc["false"], n), alone,
                     _f(_med([sum(r["read"].values()) for r in recs])), _f(_med([r["ms"] for r in recs]))])
    return md_table(["leak", "transform", "words", "trials", "identified (95% CI)", "inconclusive",
                     "false acc. (95% upper)", "artifacts identified alone, median", "marks read, median",
                     "trace ms, median"], rows)


def page_table(data: dict) -> str:
    """Per registered page: its sites per 100 words, and how often it was identified in the
    target cells (where it was drawn)."""
    stats = data["meta"]["sites"]
    keys = [f"{leak}/{w}/k1/-/-" for leak, w, _ in TARGETS]
    by = defaultdict(lambda: defaultdict(list))
    for r in data["trials"]:
        if r["cell"] in keys:
            by[r["page"]][r["cell"]].append(r)
    rows = []
    for path, s in sorted(stats.items(), key=lambda kv: -kv[1]["channels"].get("lexical", 0) / kv[1]["words"]):
        w = s["words"]
        row = [path, f"{w:,}"] + [_f(100 * s["channels"].get(ch, 0) / w, 1) for ch in ("invisible", "typographic",
                                                                                       "lexical")]
        for k in keys:
            recs = by[path][k]
            row.append(f"{sum(r['outcome'] == 'correct' for r in recs)}/{len(recs)}" if recs else "-")
        rows.append(row)
    return md_table(["page", "words", "inv /100 w", "typ /100 w", "lex /100 w"]
                    + [f"{leak} {w:,}: identified" for leak, w, _ in TARGETS], rows)


def _target(label: str, recs: list[dict], goal: float, why_missed) -> TargetRow:
    """A target row: the share of trials identified against the goal, and why when missed."""
    if not recs:
        return TargetRow(label, "not run", f"≥ {100 * goal:.0f}%", None)
    n = len(recs)
    k = sum(r["outcome"] == "correct" for r in recs)
    lo, hi = clopper_pearson(k, n)
    met = k / n >= goal
    return TargetRow(label, f"{fmt_pct(k, n)} ({k}/{n}; 95% CI {100 * lo:.1f}–{100 * hi:.1f}%)",
                     f"≥ {100 * goal:.0f}%", met, "" if met else f"short by {100 * (goal - k / n):.1f} points",
                     "" if met else why_missed(recs))


def _why_suggested(recs: list[dict]) -> str:
    n = len(recs)
    return (f"{fmt_pct(sum(r['outcome'] == 'inconclusive' for r in recs), n)} inconclusive; median "
            f"{_f(_med([sum(r['read'].values()) for r in recs]))} marks read in "
            f"{_f(_med([r['leak_words'] for r in recs]))} leak words; the leaker's copy ranked 1st in "
            f"{fmt_pct(sum(bool(r.get('top1')) for r in recs), n)}")


def target_rows(data: dict) -> list[TargetRow]:
    cells = dict((c.key, recs) for c, recs in _cells(data))
    n_rec = data["meta"]["recipients"]
    rows = [_target(f"{leak}, {words:,} words, {n_rec:,} recipients, automatic channels: identified",
                    cells.get(f"{leak}/{words}/k1/-/-", []), goal, why) for leak, words, goal in TARGETS]
    rows += [_target(f"with the suggestions accepted: {label}, {n_rec:,} recipients: identified",
                     cells.get(key, []), goal, _why_suggested) for key, label, goal in SUGGESTED_TARGETS]
    stats = data["meta"]["sites"]
    per = [100 * s["channels"].get("lexical", 0) / s["words"] for s in stats.values()]
    if per:
        med = statistics.median(per)
        fams = Counter()
        for s in stats.values():
            fams.update({f: c for f, c in s["families"].items() if f.startswith("lexical:")})
        words = sum(s["words"] for s in stats.values())
        met = med >= LEXICAL_GOAL
        rows.append(TargetRow(f"lexical sites per 100 words, median of the {len(per)} pages", f"{med:.2f}",
                              f"≥ {LEXICAL_GOAL}", met,
                              "" if met else f"{LEXICAL_GOAL - med:.2f} per 100 words short "
                              f"({med / LEXICAL_GOAL:.0%} of the goal)",
                              "per 100 words: " + ", ".join(f"{f.split(':', 1)[1]} {100 * c / words:.2f}"
                                                           for f, c in fams.most_common(5))))
    recs = data["trials"]
    k = sum(r["outcome"] == "false" for r in recs)
    hi = clopper_pearson(k, len(recs))[1] if recs else 1.0
    worst = Counter(r["cell"] for r in recs if r["outcome"] == "false")
    rows.append(TargetRow("zero false accusations, every cell", f"{k} in {len(recs):,} trials "
                          f"(95% upper {100 * hi:.3f}%)", "0", k == 0, "" if k == 0 else f"{k} false accusation(s)",
                          "; ".join(f"{c}: {m}" for c, m in worst.most_common(6))))
    return rows


def why(recs: list[dict]) -> str:
    """Measured facts on why a cell falls short: marks read per 100 words vs what the bound needs."""
    n = len(recs)
    inc = sum(r["outcome"] == "inconclusive" for r in recs)
    words = _med([r["leak_words"] for r in recs])
    need = _med([r.get("need") for r in recs])
    parts = [f"{fmt_pct(inc, n)} inconclusive",
             f"median {_read(recs)} marks read in {_f(words)} words = {_f(_per100(recs), 1)} per 100 words"]
    if need == need:
        parts.append(f"the bound needs a median {_f(need)} marks at these sites' gain "
                     f"({_f(100 * need / words, 1)} per 100 words of this leak), i.e. about "
                     f"{_f(_med([_words_needed(r) for r in recs]))} leak words at this read rate")
    ag = _agree(recs)
    if ag == ag:
        parts.append(f"{_f(ag)}% of the reads agree with the leaker's copy")
    top = sum(bool(r.get("top1")) for r in recs)
    parts.append(f"the leaker's copy ranked 1st in {fmt_pct(top, n)}"
                 + (" (signal present, below the 1e-6 bar)" if top > n - inc else ""))
    return "; ".join(parts)


def render_section(data: dict) -> str:
    """The markdown section ``## Real documents: the 18F handbook`` (for bench/RESULTS.md)."""
    meta = data["meta"]
    trials = data["trials"]
    m = meta["machine"]
    stats = meta["sites"]
    words = [s["words"] for s in stats.values()]
    k_false = sum(r["outcome"] == "false" for r in trials)
    hi = clopper_pearson(k_false, len(trials))[1] if trials else 1.0
    counts = sorted({c["trials"] for c in data["cells"]})
    ch, fam = site_tables(data)
    out = ["## Real documents: the 18F handbook" + (" (--quick smoke test: 3 trials per cell, not representative)"
                                                   if meta["quick"] else ""), ""]
    out += [f"{len(stats)} pages of the 18F handbook (public domain; {meta['corpus_source']}), "
            f"{min(words):,}–{max(words):,} words (median {statistics.median(words):,.0f}), chosen among the "
            f"{meta['eligible']} pages of {MIN_WORDS:,}–{MAX_WORDS:,} words (the {LONGEST} longest, then every "
            f"k-th in path order), front matter and Liquid tags stripped by the loader, registered as Markdown "
            f"in one workspace with {meta['recipients']:,} recipients and marked for all of them; automatic "
            f"channels only (no page has a declared site). Leaks are drawn from a random page long enough for "
            f"the cell and a random recipient's copy, transformed with `leaktrace.simulate` (retyped: ASCII, "
            f"1% typos; edited: retyped, 10% of words dropped or inserted, two sentences swapped) and traced "
            f"with `ws.trace(leak, audit=False)`. Negatives: excerpts of the unmarked original (the all-zero "
            f"codeword) and of the {meta['unregistered']} eligible handbook pages not registered.", "",
            f"- date: {meta['when']}; run time {meta['elapsed_s'] / 60:.1f} min on {m['nproc']} CPU ({m['cpu']}), "
            f"Python {m['python']}, one process",
            f"- commit: {meta['commit']}",
            f"- command: `python bench/real.py{' ' + ' '.join(meta['argv']) if meta['argv'] else ''}`; "
            f"workspace seed `{meta['seed']}`, trial seed `{meta['trial_seed']}` (reproducible)"
            + ("" if meta["quick"] else "; raw tallies in bench/real.json "
               "(`python bench/real.py --report-from bench/real.json` re-renders this section)"),
            f"- trials per cell: {', '.join(str(c) for c in counts)}; {len(trials):,} trials in all", ""]
    out += ["### Targets (issue 13)", "", targets_table(target_rows(data)), "",
            f"False accusations, all {len(trials):,} trials (positives and negatives): **{k_false}** "
            f"(95% upper bound on the rate {100 * hi:.3f}%); per cell in the tables below "
            f"(count, and the 95% Clopper–Pearson upper bound on that cell's rate).", ""]
    out += ["### Sites per 100 words on these pages", "", ch, "", fam, ""]
    out += ["### Single leaker", "",
            "`identified` = the leaker's copy identified and no other (95% Clopper–Pearson interval); "
            "`marks the bound needs` = `score.sites_needed` at the mean leaker gain of the sites read, for "
            f"{meta['recipients']:,} copies at 1e-6 (median per trial; it assumes every read agrees with the "
            "leaker); `leak words needed at this read rate` = that number of marks divided by the marks read "
            "per word of this leak.", "", single_table(data), ""]
    out += ["### Collusion (retyped, the longest pages)", "",
            f"Colluders' codewords mixed site by site with `simulate.collude` (majority, random, interleave = "
            f"whole paragraphs in turn), rendered, cut to {COLLUSION_WORDS:,} words where the page allows "
            f"(pages: {', '.join(f'`{p}`' for p in meta['collusion_pages'])}) and retyped. Correct = at least one "
            "colluder identified and no innocent copy.", "", collusion_table(data), ""]
    out += ["### Negatives: only no_match / inconclusive allowed", "", negative_table(data), ""]
    sm = meta.get("suggested") or {}
    if sm:
        acc = sm["accepted"]
        words = sum(s["words"] for s in sm["sites"].values())
        robust = sum(s["channels"].get("lexical", 0) + s["channels"].get("declared", 0) for s in sm["sites"].values())
        out += ["### With the suggestions of `suggest` accepted", "",
                f"The same pages registered again, in a second workspace (1,000 recipients, seed "
                f"`{SEED}:suggested`), each with every keeps-meaning proposal of `leaktrace suggest` accepted as a "
                f"declared site (`suggest.if_accepted`: the semantic check applied where installed, overlapping "
                f"proposals skipped as `--apply` refuses them): {sum(acc.values())} proposals on {len(acc)} pages "
                f"(median {_f(statistics.median(acc.values()))} per page); lexical and declared sites together "
                f"{100 * robust / words:.2f} per 100 words (pooled). A series: three retyped excerpts of one page "
                "from one copy, each traced, then every copy scored over the three readings at once "
                "(`cases.series.score_jointly`, what `case joint` uses: one false-accusation bound over all); the "
                "negative series takes its three excerpts from three different copies, and any copy named is a "
                "false accusation.", "", suggested_table(data), ""]
    out += ["### Per page", "",
            "Sites per 100 words of each registered page, and the target cells' trials drawn on it "
            "(identified / trials), densest lexical page first.", "", page_table(data), ""]
    bad = [r for r in trials if r["outcome"] == "false"]
    if bad:
        out += ["### False accusations (first examples)", ""]
        out += [f"- `{r['cell']}` trial {r['t']}, page `{r['page']}`, leakers {r['leakers']}: identified "
                f"{r.get('identified')}" for r in bad[:10]]
        out.append("")
    return "\n".join(out)


def section(json_path: str | Path = HERE / "real.json") -> str | None:
    """The section from saved tallies, or None when there are none."""
    p = Path(json_path)
    if not p.is_file():
        return None
    return render_section(json.loads(p.read_text(encoding="utf-8")))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="3 trials per cell (under 3 minutes); prints only")
    ap.add_argument("--trials", type=int, help="trials in every cell (default: 300 in the target cells, 60 elsewhere)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply the default trial counts by this")
    ap.add_argument("--corpus", default=str(CORPUS), help="the 18F handbook folder (with MANIFEST.tsv)")
    ap.add_argument("--out", help="markdown section file (default bench/REAL.md; --quick writes none unless given)")
    ap.add_argument("--json", help="raw tallies (default bench/real.json; --quick saves none unless given)")
    ap.add_argument("--report-from", metavar="JSON", help="only re-render the section from saved tallies")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the work folder is removed

    corpus = Path(args.corpus)
    if not args.report_from and not (corpus / "MANIFEST.tsv").is_file():
        ap.error(f"{corpus}: no MANIFEST.tsv (the 18F handbook corpus; see --corpus)")
    return save_and_render(args, None, lambda: run(plan(args.quick, args.trials, args.scale), corpus, args.quick),
                           render_section, "real.json", "REAL.md")


if __name__ == "__main__":
    sys.exit(main())
