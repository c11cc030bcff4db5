"""Markdown tables for the benchmark: grid sections, targets, throughput and latency."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from grid import CellResult
from stats import clopper_pearson, fmt_pct, fmt_upper

__all__ = ["md_table", "single_table", "collusion_table", "negative_table", "Target", "targets_table",
           "pooled_false"]

PEER_SHORT = {"text-blind-watermark": "text-blind-watermark", "canarytrap": "canarytrap"}


def md_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    rows = [[str(c) for c in r] for r in rows]
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def _n(x: float) -> str:
    if x != x:  # nan
        return "-"
    return f"{x:.0f}" if x >= 10 else f"{x:.1f}"


def _peer(r: CellResult, name: str) -> str:
    c = r.peers.get(name)
    if c is None:
        return "not run"
    n = r.trials
    return f"{fmt_pct(c['correct'], n)} · wrong {c['wrong']}"


def _peer_headers(results: Sequence[CellResult]) -> list[str]:
    names: list[str] = []
    for r in results:
        for n in r.peers:
            if n not in names:
                names.append(n)
    return names


def _channels(r: CellResult) -> str:
    chans = sorted(r.sites_read_by_channel)
    if not chans:
        return "0"
    parts = [f"{c[:3]} {_n(r.median_read(c))}" for c in chans]
    return f"{_n(r.median_read())} ({', '.join(parts)})"


def single_table(results: Sequence[CellResult]) -> str:
    peers = _peer_headers(results)
    headers = ["doc", "recipients", "leak", "words", "trials", "identified", "inconclusive",
               "false acc. (95% upper)", "true copy ranked 1st", "marks read, median (by channel)",
               "trace ms, median"] + [f"{PEER_SHORT.get(p, p)}: identified · wrong" for p in peers]
    rows = []
    for r in results:
        c, n = r.cell, r.trials
        rows.append([c.doc, f"{c.recipients:,}", c.leak, c.words_label, n, fmt_pct(r.ours["correct"], n),
                     fmt_pct(r.ours["inconclusive"], n), fmt_upper(r.ours["false"], n),
                     fmt_pct(r.ours["top1"], n), _channels(r), _n(r.median_trace_ms())]
                    + [_peer(r, p) for p in peers])
    return md_table(headers, rows)


def collusion_table(results: Sequence[CellResult]) -> str:
    peers = _peer_headers(results)
    headers = ["doc", "recipients", "colluders", "mix", "leak", "trials", "≥1 colluder identified",
               "all colluders identified", "inconclusive", "false acc. (95% upper)", "colluder ranked 1st",
               "marks read, median", "trace ms, median"] + \
              [f"{PEER_SHORT.get(p, p)}: a colluder · wrong" for p in peers]
    rows = []
    for r in results:
        c, n = r.cell, r.trials
        rows.append([c.doc, f"{c.recipients:,}", c.k, c.mode, c.leak, n, fmt_pct(r.ours["correct"], n),
                     fmt_pct(r.ours["all"], n), fmt_pct(r.ours["inconclusive"], n),
                     fmt_upper(r.ours["false"], n), fmt_pct(r.ours["top1"], n), _channels(r),
                     _n(r.median_trace_ms())] + [_peer(r, p) for p in peers])
    return md_table(headers, rows)


def negative_table(results: Sequence[CellResult]) -> str:
    peers = _peer_headers(results)
    headers = ["doc", "recipients", "text", "leak", "words", "trials", "no_match", "inconclusive",
               "said derived from the document", "false acc. (95% upper)", "trace ms, median"] + [f"{PEER_SHORT.get(p, p)}: wrong" for p in peers]
    rows = []
    for r in results:
        c, n = r.cell, r.trials
        text = "unmarked original" if c.negative == "original" else "unrelated same-topic text"
        rows.append([c.doc, f"{c.recipients:,}", text, c.leak, c.words_label, n, fmt_pct(r.ours["no_match"], n),
                     fmt_pct(r.ours["inconclusive"] - r.ours["no_match"], n), fmt_pct(r.ours["source"], n),
                     fmt_upper(r.ours["false"], n),
                     _n(r.median_trace_ms())]
                    + [str(r.peers[p]["wrong"]) if p in r.peers else "not run" for p in peers])
    return md_table(headers, rows)


def pooled_false(results: Sequence[CellResult]) -> tuple[int, int, float]:
    """Total false accusations, total trials, and the 95% upper bound of the pooled rate."""
    k = sum(r.ours["false"] for r in results)
    n = sum(r.trials for r in results)
    return k, n, clopper_pearson(k, n)[1]


@dataclass
class Target:
    """One row of the targets table."""

    label: str
    measured: str
    goal: str
    met: bool | None       # None: not measured
    gap: str = ""
    note: str = ""


def rate_target(label: str, r: CellResult | None, goal: float, key: str = "correct") -> Target:
    """A rate target (e.g. identified >= 95%) measured on one cell."""
    if r is None:
        return Target(label, "not run", f"≥ {100 * goal:.0f}%", None)
    n = r.trials
    k = r.ours[key]
    lo, hi = clopper_pearson(k, n)
    rate = k / n if n else 0.0
    met = rate >= goal
    measured = f"{fmt_pct(k, n)} ({k}/{n}; 95% CI {100 * lo:.1f}–{100 * hi:.1f}%)"
    gap = "" if met else f"short by {100 * (goal - rate):.1f} points"
    note = ""
    if not met:
        note = diagnose(r)
    if r.ours["false"]:
        note = (note + "; " if note else "") + f"{r.ours['false']} false accusation(s)"
    return Target(label, measured, f"≥ {100 * goal:.0f}%", met, gap, note)


def diagnose(r: CellResult) -> str:
    """Facts about why a cell falls short: what was read, what the tracer asked for."""
    n, c = r.trials, r.cell
    parts = [f"{fmt_pct(r.ours['inconclusive'], n)} inconclusive",
             f"median {_channels(r)} marks read per leak"]
    if c.leak != "verbatim" and r.median_read("invisible") == 0:
        parts.append("no invisible marks survive this leak")
    if r.more_words:
        med = statistics.median(r.more_words)
        if med > 0:
            parts.append(f"the tracer estimates ~{med:,.0f} more words would be needed (median)")
        else:
            parts.append("the tracer reports enough marks for a lone leaker (more_words_needed 0), "
                         "yet no score clears the bar")
    who = "a colluder" if c.k > 1 else "the true copy"
    parts.append(f"{who} ranked 1st in {fmt_pct(r.ours['top1'], n)} (signal present, below the 1e-6 bar)"
                 if r.ours["top1"] > r.ours["correct"] else f"{who} ranked 1st in {fmt_pct(r.ours['top1'], n)}")
    return "; ".join(parts)


def targets_table(targets: Sequence[Target]) -> str:
    rows = []
    for t in targets:
        status = "not run" if t.met is None else ("met" if t.met else "**missed**")
        rows.append([t.label, t.goal, t.measured, status, t.gap or "", t.note or ""])
    return md_table(["target", "goal", "measured", "status", "by how much", "why (measured facts)"], rows)


def find(results: Sequence[CellResult], pred: Callable[[object], bool]) -> CellResult | None:
    for r in results:
        if pred(r.cell):
            return r
    return None
