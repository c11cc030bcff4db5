"""leaktrace benchmark (``make bench``): identification rates, false accusations, peers, speed.

    python bench/run.py            # full grid (about 20-30 minutes on 2 cores), writes bench/RESULTS.md
    python bench/run.py --quick    # tiny grid (200 recipients, a few trials), prints only
    python bench/run.py --quick --results /tmp/quick.md

What it does:

1. Builds one workspace per recipient count (1,000 and 10,000; 200 with --quick) with a
   2,000-word synthetic memo (``corpus.make_document``) and ``examples/memo.md``, and marks
   both for every recipient with ``ws.mark`` (this is the marking-throughput measurement).
   Workspace keys are seeded (``workspaces.seeded_secrets``) so every number is reproducible.
2. Runs the grid (``grid.run_cell``): leak transformation x excerpt length x recipients,
   collusion of 2 and 3 copies, and negatives (unmarked original, unrelated same-topic
   text).  Every trial runs the same leak through leaktrace and through the peer libraries
   ``text-blind-watermark`` and ``canarytrap`` (``peers.py`` says exactly how).
3. Measures pure rendering throughput, and trace latency for 200-word excerpts after
   registering 10,000 more synthetic documents (300 words each) in the largest workspace.
4. Prints a markdown table per section and writes RESULTS.md with the targets table.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as _dt
import json
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from corpus import make_corpus, make_document, make_same_topic_text  # noqa: E402
from grid import Cell, CellResult, OursSystem, Target, check_windows, run_cell  # noqa: E402
from peers import CanaryTrapPeer, TextBlindWatermarkPeer, peer_versions  # noqa: E402
from report import (collusion_table, find, md_table, negative_table, pooled_false, rate_target,  # noqa: E402
                    single_table, targets_table)
from report import Target as TargetRow  # noqa: E402
from workspaces import make_workspace, recipient_ids  # noqa: E402
from runinfo import git_commit, log, machine  # noqa: E402

from leaktrace import simulate  # noqa: E402

SEED = "leaktrace-bench-v1"
MAIN_SEED = 1          # corpus seed of the 2,000-word test document
MAIN_WORDS = 2000
CORPUS_SEED = 7        # corpus seed of the synthetic documents registered for the latency test
MODES = ("majority", "random", "interleave")


# ---------------------------------------------------------------------------- the grid

def full_grid(t_target: int, t_main: int, t_side: int) -> list[Cell]:
    """The full grid. t_target trials for the cells with a target, t_main for the main
    2,000-word rows, t_side for the memo rows, 10,000-recipient side cells and negatives."""
    cells: list[Cell] = []
    add = cells.append
    D = "doc2000"
    # single leaker, 2,000-word document, 1,000 recipients
    for w in (25, 50, 100, 250, 500, None):
        add(Cell(D, 1000, "verbatim", w, t_main))
    for w in (25, 50, 100, 250, 500, 800, None):
        add(Cell(D, 1000, "sanitized", w, t_target if w == 250 else t_main))
    for w in (50, 100, 250, 500, 800, None):
        add(Cell(D, 1000, "retyped", w, t_target if w == 500 else t_main))
    for w in (100, 250, 500, 800, None):
        add(Cell(D, 1000, "edited", w, t_target if w == 800 else t_main))
    # single leaker, 10,000 recipients
    for w in (25, 50, 100, 250, None):
        add(Cell(D, 10000, "verbatim", w, t_target if w == 25 else t_side))
    for w in (250, 500):
        add(Cell(D, 10000, "sanitized", w, t_side))
    for w in (500, 800):
        add(Cell(D, 10000, "retyped", w, t_side))
    add(Cell(D, 10000, "edited", 800, t_side))
    # the realistic memo
    for w in (25, 50, 100, 250, None):
        add(Cell("memo", 1000, "verbatim", w, t_side))
    for w in (100, 250, 500, 800, None):
        add(Cell("memo", 1000, "retyped", w, t_side))
    for w in (25, 100):
        add(Cell("memo", 10000, "verbatim", w, t_side))
    for w in (500, None):
        add(Cell("memo", 10000, "retyped", w, t_side))
    # collusion, full document
    for k in (2, 3):
        for mode in MODES:
            for leak in ("verbatim", "retyped"):
                tr = t_target if (k == 2 or leak == "verbatim") else t_main
                add(Cell(D, 1000, leak, None, tr, k=k, mode=mode))
    for k in (2, 3):
        for mode in MODES:
            add(Cell(D, 10000, "verbatim", None, t_side, k=k, mode=mode))
    # negatives
    for n in (1000, 10000):
        for leak in ("verbatim", "retyped"):
            for w in (250, None):
                add(Cell(D, n, leak, w, t_side, negative="original"))
            for w in (250, None):
                add(Cell(D, n, leak, w, t_side, negative="same-topic"))
    add(Cell("memo", 1000, "verbatim", None, t_side, negative="original"))
    add(Cell("memo", 1000, "retyped", 250, t_side, negative="original"))
    return cells


def quick_grid(n: int, t: int) -> list[Cell]:
    """A few cells of every kind, all on n recipients, t trials each."""
    D = "doc2000"
    cells = [Cell(D, n, "verbatim", 25, t), Cell(D, n, "verbatim", 100, t),
             Cell(D, n, "sanitized", 250, t), Cell(D, n, "retyped", 500, t), Cell(D, n, "edited", 800, t),
             Cell(D, n, "retyped", None, t),
             Cell("memo", n, "verbatim", 25, t), Cell("memo", n, "retyped", 500, t)]
    for k in (2, 3):
        for mode in MODES:
            cells.append(Cell(D, n, "verbatim", None, t, k=k, mode=mode))
    for mode in MODES:
        cells.append(Cell(D, n, "retyped", None, t, k=2, mode=mode))
    cells += [Cell(D, n, "verbatim", 250, t, negative="original"), Cell(D, n, "retyped", None, t, negative="original"),
              Cell(D, n, "verbatim", 250, t, negative="same-topic"),
              Cell(D, n, "retyped", None, t, negative="same-topic")]
    return cells


def target_rows(results: list[CellResult], n_small: int, n_large: int, extra: dict) -> list[TargetRow]:
    """The issue's targets, each measured on its cell."""
    D = "doc2000"

    def cell(**kw):
        def pred(c: Cell) -> bool:
            return all(getattr(c, k) == v for k, v in kw.items())
        return find(results, pred)

    rows = [
        rate_target(f"verbatim, 25 words, {n_large:,} recipients: identified",
                    cell(doc=D, recipients=n_large, leak="verbatim", words=25, k=1, negative=None), 0.99),
        rate_target(f"sanitized, 250 words, {n_small:,} recipients: identified",
                    cell(doc=D, recipients=n_small, leak="sanitized", words=250, k=1, negative=None), 0.95),
        rate_target(f"retyped, 500 words, {n_small:,} recipients: identified",
                    cell(doc=D, recipients=n_small, leak="retyped", words=500, k=1, negative=None), 0.95),
        rate_target(f"edited, 800 words, {n_small:,} recipients: identified",
                    cell(doc=D, recipients=n_small, leak="edited", words=800, k=1, negative=None), 0.90),
    ]
    for k, leak, goal in ((2, "verbatim", 0.99), (2, "retyped", 0.90), (3, "verbatim", 0.95)):
        for mode in MODES:
            rows.append(rate_target(
                f"collusion of {k} ({mode}), {leak}, 2,000 words, {n_small:,} recipients: ≥1 colluder identified",
                cell(doc=D, recipients=n_small, leak=leak, words=None, k=k, mode=mode), goal))
    k, n, hi = pooled_false(results)
    worst = [r for r in results if r.ours["false"]]
    rows.append(TargetRow("zero false accusations, every cell", f"{k} in {n:,} trials (95% upper {100 * hi:.3f}%)",
                          "0", k == 0, "" if k == 0 else f"{k} false accusation(s)",
                          "; ".join(f"{r.cell.key}: {r.ours['false']}" for r in worst[:6])))
    mk = extra.get("mark_rate")
    if mk is not None:
        ok = mk >= 1000
        rows.append(TargetRow(f"marking a 2,000-word document (ws.mark, {extra['mark_n']:,} copies)",
                              f"{mk:,.0f} copies/s", "≥ 1,000 copies/s", ok,
                              "" if ok else f"{100 * (1 - mk / 1000):.0f}% slower",
                              "" if ok else f"rendering alone: {extra.get('render_rate', 0):,.0f} copies/s; "
                              "the rest is writing one file per copy, hashing and recording"))
    lat = extra.get("latency_median_ms")
    if lat is not None:
        ok = lat <= 300
        rows.append(TargetRow(f"trace latency, 200-word excerpt, {extra['latency_docs']:,} documents, "
                              f"{n_large:,} recipients (median)", f"{lat:.0f} ms (p95 {extra['latency_p95_ms']:.0f} ms)",
                              "≤ 300 ms", ok, "" if ok else f"{lat - 300:.0f} ms over"))
    return rows


# ---------------------------------------------------------------------------- helpers







def library_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("leaktrace")
    except PackageNotFoundError:
        return "unknown"


def measure_rendering(ws, doc_id: str, ids: list[str], n: int) -> dict:
    """Copies/s of ws.render_copy and of the bare codeword + render."""
    ours = OursSystem(ws, doc_id)
    sample = ids[:n]
    t0 = time.perf_counter()
    for rid in sample:
        ws.render_copy(doc_id, rid)
    t1 = time.perf_counter()
    for rid in sample:
        ours.render(ours.codeword(rid))
    t2 = time.perf_counter()
    return {"render_copy_rate": len(sample) / (t1 - t0), "render_rate": len(sample) / (t2 - t1),
            "render_n": len(sample)}


def measure_latency(ws, doc_id: str, ids: list[str], n_docs: int, n_runs: int, words: int = 300) -> dict:
    """Register n_docs synthetic documents, then time ws.trace on 200-word verbatim excerpts."""
    t0 = time.perf_counter()
    docs = make_corpus(n_docs, words, seed=CORPUS_SEED)
    t1 = time.perf_counter()
    for i, text in enumerate(docs):
        ws.add_document(text=text, fmt="md", name=f"synthetic-{i}.md")
        if (i + 1) % 2000 == 0:
            log(f"  registered {i + 1:,} documents ({(i + 1) / (time.perf_counter() - t1):.0f}/s)")
    t2 = time.perf_counter()
    total_docs = ws.count("documents")
    rng = random.Random(f"{SEED}:latency")
    ws.trace(simulate.excerpt(ws.render_copy(doc_id, ids[0]), 200, rng))  # warm-up, not counted
    times, correct = [], 0
    for _ in range(n_runs):
        rid = rng.choice(ids)
        leak = simulate.excerpt(ws.render_copy(doc_id, rid), 200, rng)
        t = time.perf_counter()
        tr = ws.trace(leak)
        times.append(1000 * (time.perf_counter() - t))
        ident = [c.recipient for c in tr.copies if c.identified]
        correct += ident == [rid] and tr.document is not None and tr.document.get("id") == doc_id
    times.sort()
    return {"latency_docs": total_docs, "index_rate": n_docs / (t2 - t1), "corpus_gen_s": t1 - t0,
            "latency_median_ms": statistics.median(times),
            "latency_p95_ms": times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))],
            "latency_max_ms": times[-1], "latency_runs": n_runs, "latency_correct": correct}


# ---------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="tiny grid for smoke tests (under 2 minutes)")
    ap.add_argument("--results", help="where to write the markdown report "
                                      "(default bench/RESULTS.md; --quick writes none unless given)")
    ap.add_argument("--json", help="where to save the raw tallies (default bench/results.json; "
                                   "--quick saves none unless given)")
    ap.add_argument("--report-from", metavar="JSON", help="only re-render the report from saved tallies")
    ap.add_argument("--no-peers", action="store_true", help="leaktrace only")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every trial count by this")
    ap.add_argument("--keep", action="store_true", help="keep the temporary workspaces")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the work folder is removed

    if args.report_from:
        meta, results = load_results(Path(args.report_from))
        md = render_report(meta, results)
        print(md)
        if args.results:
            Path(args.results).write_text(md + "\n", encoding="utf-8")
            log(f"wrote {args.results}")
        return 0

    started = time.perf_counter()
    commit = git_commit()  # the code under test is what was imported now, at the start
    when = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    sc = lambda t: max(1, int(round(t * args.scale)))  # noqa: E731
    if args.quick:
        sizes = (200,)
        n_small = n_large = 200
        cells = quick_grid(200, sc(4))
        lat_docs, lat_runs, render_n = 300, 10, 200
    else:
        sizes = (1000, 10000)
        n_small, n_large = 1000, 10000
        cells = full_grid(sc(1000), sc(300), sc(150))
        lat_docs, lat_runs, render_n = 10000, 50, 2000
    results_path = Path(args.results) if args.results else (None if args.quick else HERE / "RESULTS.md")
    json_path = Path(args.json) if args.json else (None if args.quick else HERE / "results.json")

    tmp = Path(tempfile.mkdtemp(prefix="leaktrace-bench-"))
    log(f"work folder {tmp}")
    main_text = make_document(MAIN_SEED, MAIN_WORDS)
    memo_text = (ROOT / "examples" / "memo.md").read_text(encoding="utf-8")
    docs = {"doc2000": main_text, "memo": memo_text}
    targets: dict[tuple[str, int], Target] = {}
    mark_info: dict[int, dict] = {}
    workspaces = {}
    try:
        log("setting up workspaces")
        for n in sizes:
            root = tmp / f"r{n}"
            root.mkdir()
            ws, doc_ids, timings = make_workspace(root, n, docs, SEED, log=lambda m: log(m))
            workspaces[n] = ws
            mark_info[n] = timings
            ids = recipient_ids(n)
            for key, doc_id in doc_ids.items():
                ours = OursSystem(ws, doc_id)
                systems = {"leaktrace": ours}
                if not args.no_peers:
                    tbw = TextBlindWatermarkPeer(ours.base, ids)
                    ct = CanaryTrapPeer(ours.base, ids)
                    tbw.check(ids[0])
                    ct.check(ids[-1])
                    ct.check(ids[1], simulate.excerpt(ct.copy(ids[1]), 50, random.Random(0)))
                    systems[tbw.name] = tbw
                    systems[ct.name] = ct
                for sys_ in systems.values():
                    check_windows(sys_, ours.base, ids[2], random.Random(f"{SEED}:check:{key}:{n}"))
                targets[(key, n)] = Target(key, ws, doc_id, ours.base, ids, systems,
                                           topic_seed=MAIN_SEED if key == "doc2000" else None,
                                           words=len(ours.base.split()))

        log(f"running {len(cells)} cells, {sum(c.trials for c in cells):,} trials")
        results: list[CellResult] = []
        for i, cell in enumerate(cells, 1):
            tgt = targets[(cell.doc, cell.recipients)]
            results.append(run_cell(cell, tgt, peers=not args.no_peers, seed=SEED, same_topic=make_same_topic_text,
                                    progress=lambda m, i=i: log(f"[{i}/{len(cells)}] {m}")))

        log("measuring rendering throughput")
        big = max(sizes)
        extra: dict = {}
        tgt = targets[("doc2000", big)]
        extra.update(measure_rendering(tgt.ws, tgt.doc_id, tgt.recipient_ids, render_n))
        t = mark_info[big]["doc2000"]
        extra.update(mark_rate=t["copies"] / t["mark_s"], mark_n=t["copies"])
        log(f"measuring trace latency ({lat_docs:,} more documents)")
        extra.update(measure_latency(tgt.ws, tgt.doc_id, tgt.recipient_ids, lat_docs, lat_runs))
    finally:
        for ws in workspaces.values():
            ws.close()
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    elapsed = time.perf_counter() - started
    meta = {"quick": args.quick, "no_peers": args.no_peers, "when": when, "elapsed_s": elapsed,
            "argv": sys.argv[1:] if argv is None else list(argv), "machine": machine(), "commit": commit,
            "leaktrace": library_version(), "peers": peer_versions(), "seed": SEED,
            "docs_words": {k: len(v.split()) for k, v in docs.items()}, "extra": extra,
            "mark_info": {str(k): v for k, v in mark_info.items()}, "n_small": n_small, "n_large": n_large}
    if json_path is not None:
        save_results(json_path, meta, results)
        log(f"wrote {json_path}")
    md = render_report(meta, results)
    print(md)
    if results_path is not None:
        # the real-document, print-and-photograph, source-search and PDF-marking benchmarks write
        # their own sections
        extra = [f.read_text(encoding="utf-8").strip()
                 for f in (HERE / "REAL.md", HERE / "PHOTO.md", HERE / "PAN.md", HERE / "PDFSPEED.md") if f.is_file()]
        results_path.write_text("\n\n".join([md.rstrip(), *extra]) + "\n", encoding="utf-8")
        log(f"wrote {results_path}")
    log(f"done in {elapsed / 60:.1f} min")
    return 0


def save_results(path: Path, meta: dict, results: list[CellResult]) -> None:
    """Raw tallies of a run, enough to re-render the report (``--report-from``)."""
    data = {"meta": meta, "cells": [{"cell": dataclasses.asdict(r.cell), "trials": r.trials,
                                     "ours": dict(r.ours), "peers": {k: dict(v) for k, v in r.peers.items()},
                                     "trace_ms": [round(x, 1) for x in r.trace_ms], "sites_read": r.sites_read,
                                     "sites_read_by_channel": r.sites_read_by_channel,
                                     "more_words": r.more_words, "false_examples": r.false_examples,
                                     "seconds": r.seconds} for r in results]}
    path.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")


def load_results(path: Path) -> tuple[dict, list[CellResult]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    results = []
    for d in data["cells"]:
        r = CellResult(Cell(**d["cell"]), d["trials"], Counter(d["ours"]),
                       {k: Counter(v) for k, v in d["peers"].items()}, d["trace_ms"], d["sites_read"],
                       d["sites_read_by_channel"], d["more_words"], d["false_examples"], d["seconds"])
        results.append(r)
    return data["meta"], results


def render_report(meta: dict, results: list[CellResult]) -> str:
    m, pv, extra = meta["machine"], meta["peers"], meta["extra"]
    mark_info = {int(k): v for k, v in meta["mark_info"].items()}
    n_large = meta["n_large"]
    single = [r for r in results if r.cell.kind == "single"]
    coll = [r for r in results if r.cell.kind == "collusion"]
    neg = [r for r in results if r.cell.kind == "negative"]
    k, n, hi = pooled_false(results)
    out: list[str] = []
    title = "leaktrace benchmark" + (" (--quick smoke test: tiny grid, numbers are not representative)"
                                     if meta["quick"] else "")
    out += [f"# {title}", ""]
    out += [f"- date: {meta['when']}; total run time {meta['elapsed_s'] / 60:.1f} min",
            f"- machine: {m['nproc']} CPU ({m['cpu']}), Python {m['python']}, {m['platform']}",
            f"- commit: {meta['commit']}; leaktrace {meta['leaktrace']}; "
            + ", ".join(f"{a} {b}" for a, b in pv.items()),
            f"- command: `python bench/run.py{' ' + ' '.join(meta['argv']) if meta['argv'] else ''}`; "
            f"seed `{meta['seed']}` (workspace keys seeded: the run is reproducible); raw tallies in "
            "bench/results.json (`python bench/run.py --report-from bench/results.json` re-renders this file)",
            f"- documents: `doc2000` = `corpus.make_document({MAIN_SEED}, {MAIN_WORDS})` "
            f"({meta['docs_words']['doc2000']:,} words); `memo` = examples/memo.md "
            f"({meta['docs_words']['memo']:,} words)",
            f"- trials per cell: {sorted({r.trials for r in results})} (see each table); "
            f"{sum(r.trials for r in results):,} trials in all", ""]
    out += ["## Summary", "",
            f"False accusations by leaktrace: **{k} in {n:,} trials** "
            f"(95% upper bound on the pooled rate {100 * hi:.3f}%). "
            "A cell's `false acc.` column gives the count and the 95% Clopper–Pearson upper bound "
            "on that cell's rate.", ""]
    for name in pv:
        wrong = sum(r.peers.get(name, {}).get("wrong", 0) for r in results)
        runs = sum(r.trials for r in results if name in r.peers)
        if runs:
            out.append(f"- {name}: named a wrong recipient in **{wrong}** of {runs:,} trials.")
    out.append("")
    out += ["## Targets", "", targets_table(target_rows(results, meta["n_small"], n_large, extra)), ""]
    out += ["## Single leaker", "",
            "`identified` = the leaker's copy identified and no other; `inconclusive` includes no_match; "
            "`true copy ranked 1st` = the leaker's copy has the best score, whether or not it clears the "
            "bar (1e-6). Marks read: median per trial, by channel (inv = invisible, typ = typographic, "
            "lex = lexical, dec = declared). Peers: share of trials naming the leaker · trials naming "
            "someone else.", "", single_table(single), ""]
    out += ["## Collusion (full document)", "",
            "Colluders' codewords mixed site by site with `simulate.collude` (majority, random, "
            "interleave = whole paragraphs from each in turn), then rendered and transformed. "
            "Correct = at least one colluder identified and no innocent copy; `all` = every colluder "
            "identified. Peers' copies are mixed the same way over their own marking sites.", "",
            collusion_table(coll), ""]
    out += ["## Negatives: only no_match / inconclusive allowed", "",
            "The unmarked original (excerpts of the base text) and unrelated texts on the same topic "
            "(`corpus.make_same_topic_text`, a new one every trial). Anything identified counts as a "
            "false accusation.", "", negative_table(neg), ""]
    out += ["## Throughput and latency", ""]
    rows = []
    for nr, info in sorted(mark_info.items()):
        t = info["doc2000"]
        rows.append([f"`ws.mark`, 2,000-word document, {nr:,} recipients (writes files + manifest, records copies)",
                     f"{t['copies'] / t['mark_s']:,.0f} copies/s ({t['copies']:,} in {t['mark_s']:.1f} s, "
                     f"{t['bytes'] / 1e6:.0f} MB)"])
        rows.append([f"sites + code of the 2,000-word document ({nr:,} recipients; once per document)",
                     f"{t['sites']:,} sites in {t['code_s']:.2f} s"])
    if extra:
        rows.append([f"`ws.render_copy` (one copy's text in memory, {extra['render_n']:,} copies)",
                     f"{extra['render_copy_rate']:,.0f} copies/s"])
        rows.append(["codeword + render only (no database)", f"{extra['render_rate']:,.0f} copies/s"])
        rows.append([f"registering {extra['latency_docs'] - len(meta['docs_words']):,} synthetic 300-word documents "
                     "(`ws.add_document`, incl. search index)", f"{extra['index_rate']:,.0f} documents/s"])
        rows.append([f"`ws.trace`, 200-word verbatim excerpt, {extra['latency_docs']:,} documents, "
                     f"{n_large:,} recipients ({extra['latency_runs']} runs after 1 warm-up)",
                     f"median {extra['latency_median_ms']:.0f} ms, p95 {extra['latency_p95_ms']:.0f} ms, "
                     f"max {extra['latency_max_ms']:.0f} ms; identified correctly in "
                     f"{extra['latency_correct']}/{extra['latency_runs']}"])
    out += [md_table(["measurement", "result"], rows), ""]
    out += ["## How the peers were run", "",
            "Both peers hide bits in invisible characters and have no code, alignment or calibration, "
            "so what they report is defined as generously as their APIs allow (bench/peers.py):", "",
            "- **text-blind-watermark** (`TextBlindWatermark(pwd=...)`): the watermark of a copy is the "
            "recipient id (e.g. `r00042`), turned into zero-width characters by the library's "
            "`generate_watermark` (its keyed XOR cipher). The library inserts one run at one index "
            "(`add_wm_at_idx` removes earlier ones), which most excerpts would miss, so the run is "
            "inserted at the start of every 12th word: any excerpt of 12 words or more holds a whole run. "
            "Tracing calls the library's `extract` (first run of watermark characters); bytes that "
            "decode to a registered id name that recipient, anything else is \"nothing\".",
            "- **canarytrap** (`canarytrap.text`): recipient *i* (1-based) gets the ⌈log2(n+1)⌉ bits of "
            "*i*, repeated over every space of the document, via `unicode_space_encode` (a 1 puts "
            "U+200E before the space). Tracing: no U+200E in the leak → nothing. Otherwise bits are "
            "read with `unicode_space_to_binary_str`; the excerpt's offset is found by deleting U+200E "
            "and locating the text in the unmarked original (the library itself assumes offset 0); the "
            "recipient with the most agreeing bits at that offset - the argmax of `unicode_space_match`, "
            "computed for all recipients at once (checked against the library at start-up) - is named; "
            "a tie names nobody.",
            "- Same leaks: for every trial the peers get the same recipient(s), the same collusion "
            "mixing seed (applied to their own sites: bits of the zero-width runs, or spaces), the same "
            "excerpt draw (start word) and the same transformation seed as leaktrace, applied to their "
            "own marked copy. Peers ran on every cell, including 10,000 recipients."
            if not meta["no_peers"] else "- Peers were not run (--no-peers).", ""]
    bad = [r for r in results if r.false_examples]
    if bad:
        out += ["## False accusations (first examples per cell)", ""]
        for r in bad:
            out.append(f"- `{r.cell.key}`: " + " | ".join(r.false_examples))
        out.append("")
    out += ["## Cell run times", "",
            f"Grid: {sum(r.seconds for r in results) / 60:.1f} min over {len(results)} cells "
            f"(slowest: " + ", ".join(f"`{r.cell.key}` {r.seconds:.0f} s"
                                      for r in sorted(results, key=lambda r: -r.seconds)[:3]) + ").", ""]
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
