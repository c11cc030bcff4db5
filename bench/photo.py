"""Print-and-photograph benchmark: marked copies laid out as PDF, printed, photographed, OCR'd, traced.

    python bench/photo.py                # full run (about 13 minutes on 2 cores): bench/PHOTO.md + bench/photo.json
    python bench/photo.py --quick        # every cell once, under 2 minutes; prints only
    python bench/photo.py --trials 10    # 10 trials in every cell (negatives: 5)
    python bench/photo.py --report-from bench/photo.json   # re-render the section from saved tallies

What one trial does (all randomness from ``random.Random(f"{SEED}:{cell}:{trial}")``):

1. The leaker: trial *t* of every cell uses the same recipient, drawn from
   ``random.Random(f"{SEED}:recipient:{t}")`` among the 1,000 (paired design: one PDF per
   trial number serves every cell).  Their copy's text (``ws.render_copy``) is laid out as
   PDF exactly as leaktrace writes PDF copies (``formats.pdfwrite``: A4, DejaVu Serif 11 pt)
   and rasterized with pypdfium2 at the cell's resolution (150 or 300 dpi).
2. The excerpt: a page drawn among the pages that are full of text (not the short last
   page), then the top quarter or the top half of its text area (cut in the gap between two
   lines), or the whole page.
3. The capture (bench/degrade.py): ``clean`` (a flatbed scan), ``photo-mild`` or
   ``photo-hard`` (a phone photograph of the printout on a desk: perspective, rotation,
   uneven light, blur, sensor noise, JPEG), then the crop a leaker would post.
4. OCR with ``leaktrace.formats.image.extract_image`` (Tesseract), then
   ``ws.trace(text, audit=False, source=extracted)``.
5. Tally as bench/grid.py does: **identified** = the leaker's copy identified and no other
   copy; **inconclusive** = anything else without an innocent copy identified (including
   no_match, and images OCR found no text in); **false accusation** = any identified copy
   that is not the leaker's.  Negatives: the unmarked original, printed and photographed the
   same way; anything identified is a false accusation.

Also recorded per trial: marks read and marks covered by channel (``TraceResult.sites_read``
and ``sites_covered``), the reads by kind that agree with the leaker's copy (when it ranks
first), OCR character accuracy against the PDF's own text of the same region (pypdfium2's
text layer; exact, and with quotes/dashes/hyphens folded to ASCII), OCR and trace time.

The workspace is built like bench/run.py's 1,000-recipient workspace (same seed, so the
same key).  Tesseract runs with ``OMP_THREAD_LIMIT=1`` (unless
set otherwise): its OpenMP threads only slow it down when two OCR processes share 2 cores.

For the main benchmark: ``section(json_path)`` returns the markdown section
``## Print and photograph`` from saved tallies; ``run(...)`` runs the benchmark and returns
the tallies; ``render_section(data)`` renders them.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
import multiprocessing as mp
import os
import random
import shutil
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

from report import md_table
from runinfo import log, machine, save_and_render
from stats import clopper_pearson, fmt_pct, fmt_upper

SEED = "leaktrace-bench-v1"          # workspace seed: the same key as bench/run.py's workspaces
TRIAL_SEED = "leaktrace-bench-photo-v1"
MAIN_SEED, MAIN_WORDS, RECIPIENTS = 1, 2000, 1000
DPIS = (150, 300)
CONDITIONS = ("clean", "photo-mild", "photo-hard", "screenshot")
PHOTO_CONDITIONS = CONDITIONS[:3]
SCREEN_DPIS = (96, 144)              # a PDF viewer at 100% and 150% zoom
SIZES = ("quarter", "half", "full")
FRACTION = {"quarter": 0.25, "half": 0.5, "full": 1.0}
TARGET = (300, "photo-mild", "full")   # "a full page photographed at 300 dpi identified ≥ 95%"
TARGET_GOAL = 0.95
CHANNELS = ("invisible", "typographic", "lexical", "declared", "layout")
# a real page of the 18F staff handbook (public domain), read in place
CORPUS = ROOT.parent / "shared" / "corpora" / "18f-handbook"
REAL_DOC = "18f/projects-partners/leading-projects.md"
DOC_KEY = "leading-projects"
INK = 160          # gray level below which a pixel of the rendered page is ink


@dataclass(frozen=True)
class PhotoCell:
    dpi: int
    condition: str
    size: str
    trials: int
    negative: bool = False

    @property
    def key(self) -> str:
        return f"{self.dpi}/{self.condition}/{self.size}" + ("/original" if self.negative else "")


def plan(quick: bool, trials: int | None, dpis: tuple[int, ...] = DPIS) -> list[PhotoCell]:
    """The cells. Default (sized for about 13 minutes on 2 cores): 40 trials where the target is
    measured (300 dpi, full page, clean and photo-mild), 18 in the other cells, 8 per negative
    cell (full pages of the unmarked original). --quick: every leak cell once, 2 negatives."""
    cells = []
    for dpi in dpis:
        for cond in PHOTO_CONDITIONS:
            for size in SIZES:
                if quick:
                    n = 1
                elif trials is not None:
                    n = trials
                else:
                    n = 40 if (dpi == 300 and size == "full" and cond != "photo-hard") else 18
                cells.append(PhotoCell(dpi, cond, size, n))
    for dpi in SCREEN_DPIS:
        for size in SIZES:
            n = 1 if quick else trials if trials is not None else 18
            cells.append(PhotoCell(dpi, "screenshot", size, n))
    for dpi in dpis:
        for cond in PHOTO_CONDITIONS:
            if quick:
                n = 1 if (dpi, cond) in ((300, "photo-mild"), (150, "photo-hard")) else 0
            elif trials is not None:
                n = max(1, (trials + 1) // 2)
            else:
                n = 8
            if n:
                cells.append(PhotoCell(dpi, cond, "full", n, negative=True))
    n = 1 if quick else max(1, (trials + 1) // 2) if trials is not None else 8
    cells.append(PhotoCell(SCREEN_DPIS[1], "screenshot", "full", n, negative=True))
    return cells


# ---------------------------------------------------------------------------- pages and regions

@dataclass
class Page:
    image: object            # PIL image, RGB, white paper
    text_box: tuple[int, int, int, int]   # ink bounding box (left, top, right, bottom), pixels
    blank_rows: object       # numpy bool array: rows without ink
    height_pt: float
    text_of: object          # callable (left, top, right, bottom) in pixels -> reference text


def rasterize(pdf: bytes, dpi: int) -> list[Page]:
    """Every page of the PDF at dpi, with its text box and its text layer."""
    import numpy as np
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    pages = []
    try:
        for i in range(len(doc)):
            pg = doc[i]
            img = pg.render(scale=dpi / 72).to_pil().convert("RGB")
            arr = np.asarray(img.convert("L")) < INK
            rows, cols = arr.any(axis=1), arr.any(axis=0)
            if not rows.any():
                pg.close()
                continue
            ys, xs = np.flatnonzero(rows), np.flatnonzero(cols)
            box = (int(xs[0]), int(ys[0]), int(xs[-1]) + 1, int(ys[-1]) + 1)
            tp = pg.get_textpage()
            hpt = pg.get_height()
            full_text = tp.get_text_range()
            k = 72 / dpi
            # the text layer of a region, read now (the PDF is closed afterwards)
            chars = []
            for j in range(tp.count_chars()):
                ch = tp.get_text_range(j, 1)
                l, b, r, t = tp.get_charbox(j)
                chars.append((ch, (l + r) / 2 / k, (hpt - (b + t) / 2) / k))

            def text_of(region, chars=chars, full_text=full_text, size=img.size):
                if tuple(region) == (0, 0, *size):
                    return full_text
                l, t, r, b = region
                return "".join(c for c, x, y in chars if l <= x <= r and t <= y <= b)

            pages.append(Page(img, box, ~rows, hpt, text_of))
            tp.close()
            pg.close()
    finally:
        doc.close()
    return pages


def full_pages(pages: list[Page]) -> list[int]:
    """Indexes of the pages full of text (their text reaches near the lowest text bottom)."""
    lowest = max(p.text_box[3] for p in pages)
    tallest = max(p.text_box[3] - p.text_box[1] for p in pages)
    return [i for i, p in enumerate(pages)
            if p.text_box[3] >= 0.9 * lowest and p.text_box[3] - p.text_box[1] >= 0.8 * tallest]


def region_of(page: Page, size: str, dpi: int) -> tuple[int, int, int, int]:
    """The excerpt's box in page pixels: the whole page, or the top quarter / half of the text
    area, cut at the blank row nearest to the fraction (between two lines of text)."""
    import numpy as np

    w, h = page.image.size
    if size == "full":
        return (0, 0, w, h)
    l, t, r, b = page.text_box
    target = t + FRACTION[size] * (b - t)
    blank = np.flatnonzero(page.blank_rows[t:b]) + t
    cut = int(blank[np.argmin(np.abs(blank - target))]) if len(blank) else int(target)
    pad = int(0.12 * dpi)   # a little paper around the text
    return (max(0, l - pad), max(0, t - pad), min(w, r + pad), cut)


# ---------------------------------------------------------------------------- OCR accuracy

_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2010": "-", "\u2011": "-",
                       "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00a0": " ", "\u2026": "..."})


def _norm(text: str, fold: bool) -> str:
    from leaktrace.text.tokens import strip_invisible

    text = strip_invisible(text)
    if fold:
        text = text.translate(_FOLD)
    return " ".join(text.split())


def char_accuracy(ocr: str, ref: str, fold: bool = False) -> float:
    """1 - (edit distance / reference length), after whitespace is collapsed (and, with fold,
    quotes, dashes and hyphens folded to ASCII)."""
    from rapidfuzz.distance import Levenshtein

    a, b = _norm(ocr, fold), _norm(ref, fold)
    if not b:
        return float("nan")
    return max(0.0, 1 - Levenshtein.distance(a, b) / len(b))


# ---------------------------------------------------------------------------- the worker

_W: dict = {}


def _init_worker(ws_path: str, doc_id: str) -> None:
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    from leaktrace import Workspace

    ws = Workspace.open(ws_path)
    ws.code(doc_id)
    _W.clear()
    _W.update(ws=ws, doc_id=doc_id, pdf_cache={}, page_cache={})


def _pdf_for(rid: str | None) -> bytes:
    """The recipient's PDF copy exactly as `leaktrace mark --as pdf` writes it (its text marks and
    its layout marks), or the unmarked original laid out the same way (rid None)."""
    from leaktrace.formats.copies import CopyWriter
    from leaktrace.marks import layout
    from leaktrace.marks.channels import carried
    from leaktrace.marks.embed import Renderer

    cache = _W["pdf_cache"]
    if rid not in cache:
        ws, doc_id = _W["ws"], _W["doc_id"]
        doc, base, sites, code = ws.code(doc_id)
        if rid is None:
            text = base
        else:
            text = Renderer(base, layout.for_pdf(sites)).render(carried(sites, code.codeword(rid), "pdf"))
        keep = cache.get(None)
        cache.clear()
        if keep is not None:
            cache[None] = keep
        cache[rid] = CopyWriter("md", "pdf", doc.title, None).write(text, ())
    return cache[rid]


def _pages_for(rid: str | None, dpi: int) -> list[Page]:
    cache = _W["page_cache"]
    key = (rid, dpi)
    if key not in cache:
        for k in [k for k in cache if k[0] != rid and k[0] is not None]:
            del cache[k]
        cache[key] = rasterize(_pdf_for(rid), dpi)
    return cache[key]


def run_task(task: tuple[int, str | None, list[PhotoCell]]) -> list[dict]:
    """All the cells' trial number t for one leaker (rid None: the unmarked original)."""
    t, rid, cells = task
    out = []
    for cell in cells:
        out.append(run_trial(cell, t, rid))
    return out


def run_trial(cell: PhotoCell, t: int, rid: str | None) -> dict:
    from degrade import photograph

    from leaktrace.errors import InputError
    from leaktrace.formats.image import extract_image

    ws, doc_id = _W["ws"], _W["doc_id"]
    rng = random.Random(f"{TRIAL_SEED}:{cell.key}:{t}")
    t_start = time.perf_counter()
    pages = _pages_for(rid, cell.dpi)
    t_pages = time.perf_counter()
    pno = rng.choice(full_pages(pages))
    page = pages[pno]
    region = region_of(page, cell.size, cell.dpi)
    data, params = photograph(page.image, region, cell.condition, rng)
    t_photo = time.perf_counter()
    ref = page.text_of(region)
    rec: dict = {"cell": cell.key, "t": t, "leaker": rid, "page": pno + 1, "region": list(region),
                 "image_bytes": len(data), "params": params, "ref_words": len(_norm(ref, False).split())}
    t0 = time.perf_counter()
    try:
        ex = extract_image(data, f"photo-{t}.jpg")
    except InputError as e:   # e.g. "OCR found no text in the image": nothing to trace
        rec.update(ocr_ms=1000 * (time.perf_counter() - t0), trace_ms=0.0, outcome="inconclusive",
                   verdict="unreadable", ocr_error=str(e)[:200], ocr_words=0, char_acc=0.0, char_acc_folded=0.0,
                   sites_read={}, sites_covered={}, top1=False, kinds={},
                   prep_s=round(t_photo - t_start, 3))
        _save_sample(cell, t, data)
        return rec
    t1 = time.perf_counter()
    res = ws.trace(ex.text, audit=False, source=ex)
    t2 = time.perf_counter()
    doc_ok = res.document is not None and res.document.get("id") == doc_id
    ident = [c.recipient for c in res.copies if c.identified]
    innocent = [r for r in ident if r != rid or not doc_ok]
    if innocent:
        outcome = "false"
    elif ident:
        outcome = "correct"
    else:
        outcome = "inconclusive"
    top1 = bool(rid and res.copies and doc_ok and res.copies[0].recipient == rid)
    leaker = next((c for c in res.copies if c.recipient == rid), None) if rid and doc_ok else None
    kinds: dict[str, list[int]] = {}
    if top1:   # reads by kind, and how many agree with the leaker's copy (it ranks first)
        for s in res.site_reads:
            k = kinds.setdefault(f"{s.channel}:{s.kind}", [0, 0])
            k[0] += 1
            k[1] += int(s.agrees)
    rec.update(ocr_ms=1000 * (t1 - t0), trace_ms=1000 * (t2 - t1), outcome=outcome, verdict=res.verdict,
               identified=ident if innocent else [], doc_ok=doc_ok, top1=top1,
               sites_read=dict(res.sites_read), sites_covered=dict(res.sites_covered),
               leaker_agreed=leaker.agreed if leaker else None, leaker_read=leaker.read if leaker else None,
               leaker_bound=leaker.false_accusation_bound if leaker else None,
               more_words_needed=res.more_words_needed, leak_words=res.leak_words,
               aligned_words=res.aligned_words, kinds=kinds,
               ocr_words=len(ex.text.split()),
               char_acc=round(char_accuracy(ex.text, ref), 4),
               char_acc_folded=round(char_accuracy(ex.text, ref, fold=True), 4),
               prep_s=round(t_photo - t_start, 3), raster_s=round(t_pages - t_start, 3))
    _save_sample(cell, t, data)
    return rec


def _save_sample(cell: PhotoCell, t: int, data: bytes) -> None:
    folder = os.environ.get("LEAKTRACE_PHOTO_SAMPLES")
    if folder and t == 0:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / (cell.key.replace("/", "_") + ".jpg")).write_bytes(data)


# ---------------------------------------------------------------------------- running

def run(trials: int | None = None, quick: bool = False, workers: int = 2, samples: str | None = None,
        dpis: tuple[int, ...] = DPIS,
        progress=log) -> dict:
    """Build the workspace, run every cell, and return the tallies (``render_section`` input)."""
    from workspaces import make_workspace, recipient_ids

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    if samples:
        os.environ["LEAKTRACE_PHOTO_SAMPLES"] = samples
    started = time.perf_counter()
    when = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    cells = plan(quick, trials, dpis)
    tmp = Path(tempfile.mkdtemp(prefix="leaktrace-photo-"))
    try:
        progress(f"work folder {tmp}; building the workspace ({RECIPIENTS:,} recipients)")
        real = (CORPUS / REAL_DOC).read_text(encoding="utf-8")
        ws, doc_ids, timings = make_workspace(tmp, RECIPIENTS, {DOC_KEY: real}, SEED, log=progress)
        doc_id = doc_ids[DOC_KEY]
        _doc, base, sites, _code = ws.code(doc_id)
        sites_by = Counter(s.channel.value for s in sites)
        kinds_by = Counter(f"{s.channel.value}:{s.kind}" for s in sites)
        ws_path = str(tmp / "ws")
        ws.close()
        ids = recipient_ids(RECIPIENTS)
        tasks = []
        n_max = max(c.trials for c in cells)
        for t in range(n_max):
            rid = random.Random(f"{TRIAL_SEED}:recipient:{t}").choice(ids)
            pos = [c for c in cells if not c.negative and c.trials > t]
            neg = [c for c in cells if c.negative and c.trials > t]
            if pos:
                tasks.append((t, rid, pos))
            if neg:
                tasks.append((t, None, neg))
        total = sum(c.trials for c in cells)
        progress(f"{len(cells)} cells, {total} trials, {len(tasks)} tasks on {workers} worker(s)")
        records: list[dict] = []
        t_run = time.perf_counter()
        if workers <= 1:
            _init_worker(ws_path, doc_id)
            it = map(run_task, tasks)
            pool = None
        else:
            pool = mp.get_context("spawn").Pool(workers, initializer=_init_worker, initargs=(ws_path, doc_id))
            it = pool.imap_unordered(run_task, tasks)
        try:
            for recs in it:
                records.extend(recs)
                el = time.perf_counter() - t_run
                progress(f"{len(records)}/{total} trials ({el:.0f} s); last: "
                         + ", ".join(f"{r['cell']} {r['outcome']}" for r in recs[:4])
                         + (" ..." if len(recs) > 4 else ""))
        finally:
            if pool is not None:
                pool.close()
                pool.join()
            if "ws" in _W:
                _W["ws"].close()
                _W.clear()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    records.sort(key=lambda r: (r["cell"], r["t"]))
    elapsed = time.perf_counter() - started
    return {"meta": {"when": when, "quick": quick, "trials": trials, "workers": workers, "elapsed_s": elapsed,
                     "seed": SEED, "trial_seed": TRIAL_SEED, "recipients": RECIPIENTS, "words": len(base.split()),
                     "document": REAL_DOC,
                     "sites_by_channel": dict(sites_by), "sites_by_kind": dict(kinds_by),
                     "omp_thread_limit": os.environ.get("OMP_THREAD_LIMIT"), "machine": machine(),
                     "tesseract": _tesseract_version(), "mark_timings": timings},
            "cells": [asdict(c) | {"key": c.key} for c in cells], "trials": records}




def _tesseract_version() -> str:
    try:
        import pytesseract

        return str(pytesseract.get_tesseract_version())
    except Exception:  # noqa: BLE001
        return "unknown"


# ---------------------------------------------------------------------------- report

def _med(vals) -> float:
    vals = [v for v in vals if v is not None and not math.isnan(v)]
    return statistics.median(vals) if vals else float("nan")


def _fmt(x: float, nd: int = 0) -> str:
    if math.isnan(x):
        return "-"
    return f"{x:.{nd}f}"


def _by_cell(data: dict) -> list[tuple[PhotoCell, list[dict]]]:
    groups = defaultdict(list)
    for r in data["trials"]:
        groups[r["cell"]].append(r)
    out = []
    for c in data["cells"]:
        cell = PhotoCell(c["dpi"], c["condition"], c["size"], c["trials"], c["negative"])
        out.append((cell, groups.get(cell.key, [])))
    return out


def _channels(recs: list[dict], sites_by: dict) -> str:
    """Median marks read / covered by channel, e.g. 'lex 21/24, typ 3/20, inv 0/250'."""
    parts = []
    for ch in CHANNELS:
        if not sites_by.get(ch):
            continue
        rd = _med([r.get("sites_read", {}).get(ch, 0) for r in recs])
        cv = _med([r.get("sites_covered", {}).get(ch, 0) for r in recs])
        parts.append(f"{ch[:3]} {_fmt(rd)}/{_fmt(cv)}")
    return ", ".join(parts) or "-"


def _ci(k: int, n: int) -> str:
    if not n:
        return "-"
    lo, hi = clopper_pearson(k, n)
    return f"{fmt_pct(k, n)} ({100 * lo:.0f}–{100 * hi:.0f})"


def positive_table(data: dict) -> str:
    sites_by = data["meta"]["sites_by_channel"]
    rows = []
    for cell, recs in _by_cell(data):
        if cell.negative or not recs:
            continue
        n = len(recs)
        oc = Counter(r["outcome"] for r in recs)
        agree = [r["leaker_agreed"] / r["leaker_read"] for r in recs if r.get("leaker_read")]
        rows.append([cell.dpi, cell.condition, cell.size, n, _ci(oc["correct"], n), fmt_pct(oc["inconclusive"], n),
                     fmt_upper(oc["false"], n), fmt_pct(sum(r["top1"] for r in recs), n),
                     _fmt(_med([r.get("ocr_words") for r in recs])),
                     _fmt(100 * _med([r.get("char_acc") for r in recs]), 1),
                     _fmt(100 * _med([r.get("char_acc_folded") for r in recs]), 1),
                     _channels(recs, sites_by), _fmt(100 * _med(agree)),
                     _fmt(_med([r["ocr_ms"] + r["trace_ms"] for r in recs]))])
    return md_table(["dpi", "capture", "excerpt", "trials", "identified (95% CI)", "inconclusive",
                     "false acc. (95% upper)", "leaker ranked 1st", "OCR words", "OCR char acc. %",
                     "folded %", "marks read/covered, median", "reads agreeing with leaker %",
                     "OCR+trace ms, median"], rows)


def negative_table(data: dict) -> str:
    rows = []
    for cell, recs in _by_cell(data):
        if not cell.negative or not recs:
            continue
        n = len(recs)
        oc = Counter(r["outcome"] for r in recs)
        vc = Counter(r["verdict"] for r in recs)
        rows.append([cell.dpi, cell.condition, cell.size, n, fmt_pct(vc["no_match"], n),
                     fmt_pct(oc["inconclusive"] - vc["no_match"], n),
                     fmt_pct(sum(1 for r in recs if r.get("doc_ok")), n), fmt_upper(oc["false"], n),
                     _fmt(100 * _med([r.get("char_acc") for r in recs]), 1),
                     _fmt(_med([r["ocr_ms"] + r["trace_ms"] for r in recs]))])
    return md_table(["dpi", "capture", "excerpt", "trials", "no_match", "inconclusive",
                     "said derived from the document", "false acc. (95% upper)", "OCR char acc. %",
                     "OCR+trace ms, median"], rows)


def kinds_table(data: dict) -> str:
    """Per kind of mark: sites in the document, reads per trial where the leaker ranked first,
    share of reads agreeing with the leaker's copy (all positive cells, by capture)."""
    kinds_by = data["meta"]["sites_by_kind"]
    conds = [c for c in CONDITIONS if any(r["cell"].split("/")[1] == c for r in data["trials"])]
    per: dict[str, dict[str, list[int]]] = {c: defaultdict(lambda: [0, 0]) for c in conds}
    n_top = Counter()
    for r in data["trials"]:
        if not r.get("top1"):
            continue
        cond = r["cell"].split("/")[1]
        n_top[cond] += 1
        for k, (rd, ag) in r.get("kinds", {}).items():
            per[cond][k][0] += rd
            per[cond][k][1] += ag
    rows = []
    for k, n_sites in sorted(kinds_by.items(), key=lambda kv: (-kv[1], kv[0])):
        row = [k.split(":", 1)[0][:3] + " " + k.split(":", 1)[1], n_sites]
        for c in conds:
            rd, ag = per[c].get(k, (0, 0))
            row.append(f"{rd / n_top[c]:.1f} · {fmt_pct(ag, rd)}" if n_top[c] else "-")
        rows.append(row)
    return md_table(["kind of mark", "sites in the document"]
                    + [f"{c}: reads per trial · agreeing" for c in conds], rows)


def ocr_losses_table(data: dict) -> str:
    """Per capture and resolution: trials where OCR found no text, or returned under 80% of the
    region's words (Tesseract's page layout analysis dropping whole blocks), and median accuracy."""
    groups = defaultdict(list)
    for r in data["trials"]:
        dpi, cond = r["cell"].split("/")[:2]
        groups[(int(dpi), cond)].append(r)
    rows = []
    for (dpi, cond), recs in sorted(groups.items()):
        n = len(recs)
        none = sum(r["verdict"] == "unreadable" for r in recs)
        short = sum(1 for r in recs if r["verdict"] != "unreadable" and r.get("ref_words")
                    and r.get("ocr_words", 0) < 0.8 * r["ref_words"])
        rows.append([dpi, cond, n, f"{none} ({fmt_pct(none, n)})", f"{short} ({fmt_pct(short, n)})",
                     _fmt(100 * _med([r.get("char_acc") for r in recs]), 1)])
    return md_table(["dpi", "capture", "trials (all excerpts, incl. negatives)", "OCR found no text",
                     "OCR returned < 80% of the words", "OCR char acc. %, median"], rows)


def target_line(data: dict) -> tuple[str, dict]:
    dpi, cond, size = TARGET
    recs = [r for r in data["trials"] if r["cell"] == f"{dpi}/{cond}/{size}"]
    label = f"a full page photographed at {dpi} dpi ({cond}) identified ≥ {100 * TARGET_GOAL:.0f}%"
    if not recs:
        return f"- target: {label}: not run", {"met": None}
    n = len(recs)
    k = sum(r["outcome"] == "correct" for r in recs)
    lo, hi = clopper_pearson(k, n)
    met = k / n >= TARGET_GOAL
    sites_by = data["meta"]["sites_by_channel"]
    facts = [(f"median OCR character accuracy {_fmt(100 * _med([r.get('char_acc') for r in recs]), 1)}% "
             f"({_fmt(100 * _med([r.get('char_acc_folded') for r in recs]), 1)}% with quotes and dashes folded)"),
             f"median marks read/covered per page: {_channels(recs, sites_by)}"]
    agree = [r["leaker_agreed"] / r["leaker_read"] for r in recs if r.get("leaker_read")]
    if agree:
        facts.append(f"median {_fmt(100 * _med(agree))}% of the reads agree with the leaker's copy")
    bounds = [r["leaker_bound"] for r in recs if r.get("leaker_bound") is not None]
    if bounds:
        facts.append(f"the leaker's copy's false-accusation bound has median {_med(bounds):.1g} "
                     f"against the bar of 1e-6")
    fals = sum(r["outcome"] == "false" for r in recs)
    inc = [r for r in recs if r["outcome"] == "inconclusive"]
    if inc:
        mw = [r.get("more_words_needed") for r in inc if r.get("more_words_needed")]
        page_words = _med([r.get("ref_words") for r in recs])
        facts.append(f"{len(inc)} inconclusive" + (
            f" (the tracer asks for a median {_fmt(_med(mw))} more words; a page holds about {_fmt(page_words)})"
            if mw else ""))
    won = [r for r in recs if r["outcome"] == "correct"]
    if won:
        facts.append("the identified pages had " + ", ".join(
            str(sum(r["sites_read"].values())) for r in won) + " marks read")
    top1 = sum(r["top1"] for r in recs)
    if not met:
        facts.append(f"the leaker's copy ranked first in {top1}/{n}")
    status = "met" if met else "**missed**"
    line = (f"- target: {label}: measured **{fmt_pct(k, n)}** ({k}/{n}; 95% CI {100 * lo:.0f}–{100 * hi:.0f}%), "
            f"{status}" + ("" if met else f" (short by {100 * (TARGET_GOAL - k / n):.0f} points)")
            + f"; {fals} false accusation(s). Why: " + "; ".join(facts) + ".")
    return line, {"met": met, "k": k, "n": n}


def render_section(data: dict) -> str:
    """The markdown section ``## Print and photograph`` (for bench/RESULTS.md)."""
    from degrade import describe

    meta = data["meta"]
    trials = data["trials"]
    n_all = len(trials)
    k_false = sum(r["outcome"] == "false" for r in trials)
    hi = clopper_pearson(k_false, n_all)[1] if n_all else 1.0
    m = meta["machine"]
    sb = meta["sites_by_channel"]
    line, _ = target_line(data)
    out = ["## Print and photograph" + (" (--quick smoke test: 1 trial per cell, not representative)"
                                        if meta["quick"] else ""), ""]
    out += [f"A marked copy is laid out as PDF the way leaktrace writes PDF copies (`formats.pdfwrite`: A4, "
            f"DejaVu Serif 11 pt, its layout marks included), rasterized with pypdfium2 at 150 or 300 dpi (96 or 144 dpi for a PDF "
            f"viewer's screenshot at 100% or 150% zoom), cut to an excerpt, captured "
            f"as a scan or a phone photo (bench/degrade.py), read back by OCR "
            f"(`formats.image.extract_image`, Tesseract {meta['tesseract']}) and traced "
            f"(`ws.trace`). Document: a real page of the 18F staff handbook (public domain, read in place), "
            f"`{meta.get('document', 'doc2000')}` ({meta['words']:,} words, "
            + ", ".join(f"{sb[c]:,} {c}" for c in CHANNELS if sb.get(c)) + f" marking sites), "
            f"{meta['recipients']:,} recipients. Run: {meta['when']}, {meta['elapsed_s'] / 60:.1f} min on "
            f"{m['nproc']} CPU ({m['cpu']}), {meta['workers']} worker process(es), "
            f"OMP_THREAD_LIMIT={meta['omp_thread_limit']}; `python bench/photo.py"
            + (" --quick" if meta["quick"] else "") + (f" --trials {meta['trials']}" if meta["trials"] else "")
            + "`" + ("" if meta["quick"] else " (raw tallies: bench/photo.json; `--report-from bench/photo.json` "
                                              "re-renders this section)") + ".", ""]
    out += ["Captures:", ""]
    out += [f"- `{c}`: {describe(c)}." for c in CONDITIONS]
    out += [("- excerpts: `quarter` / `half` = the top quarter / half of a full page's text area (cut between "
            "two lines), `full` = the whole page; the page is drawn among the full pages of the copy. The crop "
            "is taken from the photo (the region's tilted, unevenly lit box)."), ""]
    out += [line, "",
            (f"False accusations, all {n_all:,} trials (positives and negatives): **{k_false}** "
            f"(95% upper bound on the rate {100 * hi:.2f}%)."), ""]
    out += ["### Leaked copies", "",
            ("`identified` = the leaker's copy identified and no other (95% Clopper–Pearson interval); "
            "`marks read/covered` = median per trial of the marking sites whose variant was read in the OCR "
            "text / whose words were aligned (inv = invisible, typ = typographic, lex = lexical, lay = layout: "
            "words shifted on the page, read from the OCR word boxes); "
            "`reads agreeing with leaker` = share of the sites read that match the leaker's codeword (the "
            "rest are OCR misreads); OCR char acc. = 1 − edit distance / length against the PDF's own text "
            "layer for the same region (`folded`: curly quotes, dashes and hyphen characters folded to ASCII "
            "first)."), "", positive_table(data), ""]
    out += ["### Negatives: the unmarked original, printed and photographed", "",
            "Only no_match or inconclusive is allowed; anything identified counts as a false accusation.", "",
            negative_table(data), ""]
    out += ["### OCR losses", "",
            ("Images where `extract_image` found no text at all, or returned less than 80% of the words "
            "of the photographed region (whole paragraphs missing: Tesseract's layout analysis, `--psm 3`, "
            "drops blocks of tilted or unevenly lit text)."), "", ocr_losses_table(data), ""]
    out += ["### Which marks survive", "",
            ("Over trials where the leaker's copy ranked first (so the read sites are compared with the "
            "leaker's codeword): reads per trial and share agreeing with the leaker, by kind of mark."), "",
            kinds_table(data), ""]
    return "\n".join(out)


def section(json_path: str | os.PathLike = HERE / "photo.json") -> str | None:
    """The ``## Print and photograph`` section from saved tallies, or None when there are none."""
    p = Path(json_path)
    if not p.is_file():
        return None
    return render_section(json.loads(p.read_text(encoding="utf-8")))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dpi", type=int, action="append", choices=DPIS, help="only this print resolution (repeatable)")
    ap.add_argument("--trials", type=int, help="trials in every cell (negatives: half as many); default: "
                                               "40 in the target cells, 18 elsewhere, 8 per negative cell")
    ap.add_argument("--quick", action="store_true", help="every cell once (under 2 minutes); prints only")
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1), help="OCR processes (default 2)")
    ap.add_argument("--out", help="markdown section file (default bench/PHOTO.md; --quick writes none unless given)")
    ap.add_argument("--json", help="raw tallies (default bench/photo.json; --quick saves none unless given)")
    ap.add_argument("--samples", help="save the image of trial 0 of every cell into this folder")
    ap.add_argument("--report-from", metavar="JSON", help="only re-render the section from saved tallies")
    args = ap.parse_args(argv)

    return save_and_render(args, None, lambda: run(args.trials, args.quick, args.workers, args.samples,
                                                               tuple(args.dpi) if args.dpi else DPIS),
                           render_section, "photo.json", "PHOTO.md")


if __name__ == "__main__":
    sys.exit(main())
