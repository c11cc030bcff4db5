"""The benchmark grid: cells (document x recipients x leak x excerpt length), trials, tallies.

One *trial* picks the leaker(s) and its seeds from ``random.Random(f"...:{cell.key}:{t}")``,
then builds the leak for every system (leaktrace and the peers) the same way: the same
recipient(s), the same collusion mixing seed, the same excerpt and the same transformation
seed, each applied to that system's own marked copy.  "The same excerpt" is exact: the
window of words is drawn on the unmarked original (``base_window``, with the same rule as
``simulate.excerpt``) and mapped into each copy through the edits that turn the original
into that copy (``window``), so every system leaks the same passage; leaktrace's lexical
marks may make its passage a word or two longer or shorter.

Outcomes, per system:

* leaktrace: **correct** (a leaker's copy identified, and no other copy - of this or any
  other document - identified), **inconclusive** (verdict ``inconclusive`` or ``no_match``,
  or no copy cleared the bar) or **false accusation** (any identified copy that is not a
  leaker's copy of this document).  For collusion also **all** (every colluder identified,
  no one else).  For negatives (unmarked original, unrelated same-topic text) anything
  identified is a false accusation.
* peers (no calibration): **correct** (reports a leaker), **wrong** (reports someone else:
  a false accusation) or **nothing**.
"""

from __future__ import annotations

import random
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from leaktrace import simulate
from leaktrace.marks.embed import render

__all__ = ["Cell", "CellResult", "Target", "OursSystem", "run_cell", "LEAKS", "base_window", "window",
           "check_windows"]

LEAKS = ("verbatim", "sanitized", "retyped", "edited")


@dataclass(frozen=True)
class Cell:
    """One cell of the grid."""

    doc: str                 # key of a Target document ("doc2000", "memo")
    recipients: int          # recipients registered (and copies issued)
    leak: str                # verbatim | sanitized | retyped | edited
    words: int | None        # excerpt length in words; None = the full document
    trials: int
    k: int = 1               # number of leakers (colluders)
    mode: str | None = None  # collusion mode: majority | random | interleave
    negative: str | None = None  # None | "original" (unmarked) | "same-topic"

    @property
    def kind(self) -> str:
        if self.negative:
            return "negative"
        return "collusion" if self.k > 1 else "single"

    @property
    def key(self) -> str:
        parts = [self.doc, str(self.recipients), self.leak, "full" if self.words is None else str(self.words),
                 f"k{self.k}", self.mode or "-", self.negative or "-"]
        return "/".join(parts)

    @property
    def words_label(self) -> str:
        return "full" if self.words is None else str(self.words)


@dataclass
class Target:
    """A marked document in one workspace, with the systems that mark it."""

    key: str
    ws: object                   # leaktrace.Workspace
    doc_id: str
    base: str
    recipient_ids: list[str]
    systems: dict[str, object]   # name -> system (OursSystem, peers)
    topic_seed: int | None = None  # corpus seed of the document, for same-topic negatives
    words: int = 0


class OursSystem:
    """leaktrace's marking, with the same small interface as the peers in ``peers.py``."""

    name = "leaktrace"

    def __init__(self, ws, doc_id: str):
        self.ws = ws
        self.doc_id = doc_id
        _doc, self.base, self.sites, self.code = ws.code(doc_id)
        self.qs = [s.q for s in self.sites]
        self.paragraph_of_site = [self.base.count("\n\n", 0, s.start) for s in self.sites]

    def codeword(self, rid: str) -> np.ndarray:
        return self.code.codeword(rid)

    def render(self, codeword: np.ndarray) -> str:
        return render(self.base, self.sites, codeword)

    def copy(self, rid: str) -> str:
        return self.ws.render_copy(self.doc_id, rid)

    def edits(self, codeword: np.ndarray) -> list[tuple[int, int, str]]:
        """The copy as replacements in the base text (what ``embed.render`` applies), sorted."""
        out = []
        for site, v in zip(self.sites, np.asarray(codeword).tolist()):
            if v:
                out.extend((s, e, rep) for (s, e), rep in zip(site.spans, site.variants[v]))
        out.sort()
        return out


_WORD = re.compile(r"\S+")


def base_window(base: str, n_words: int, rng: random.Random) -> tuple[int, int]:
    """Character range of a run of n_words words of the original, drawn like ``simulate.excerpt``."""
    spans = [m.span() for m in _WORD.finditer(base)]
    if len(spans) <= n_words:
        return 0, len(base)
    first = rng.randrange(0, len(spans) - n_words + 1)
    return spans[first][0], spans[first + n_words - 1][1]


def window(copy: str, edits: Sequence[tuple[int, int, str]], a: int, b: int) -> str:
    """The part of ``copy`` that renders base[a:b], given the sorted edits that made the copy.

    Edits inside the range are included; one straddling an end is included whole at the end
    and dropped at the start; an insertion exactly at the end is included when it holds no
    whitespace (it sticks to the last word, as it would in a copy-paste).
    """
    for s, e, _rep in edits:
        if s < a < e:
            a = e
        if s < b < e:
            b = e
    shift_a = shift_b = 0
    for s, e, rep in edits:
        if s > b:
            break
        d = len(rep) - (e - s)
        if s < a and e <= a:
            shift_a += d
        if (s < b and e <= b) or (s == e == b and not any(c.isspace() for c in rep)):
            shift_b += d
    return copy[a + shift_a:b + shift_b].strip()


def check_windows(system, base: str, rid: str, rng: random.Random, n: int = 20) -> None:
    """Sanity checks of ``window``: the whole range gives the whole copy, and, for systems whose
    marks are only insertions of invisible characters, every window reads as the original."""
    from leaktrace.text.tokens import strip_invisible

    cw = system.codeword(rid)
    copy, edits = system.render(cw), system.edits(cw)
    assert window(copy, edits, 0, len(base)) == copy.strip(), f"{system.name}: full window differs"
    only_insertions = all(s == e for s, e, _ in edits)
    for _ in range(n):
        a, b = base_window(base, rng.choice((1, 5, 25, 100)), rng)
        w = window(copy, edits, a, b)
        assert w and w in copy, f"{system.name}: window not in copy"
        if only_insertions:
            assert strip_invisible(w) == base[a:b], f"{system.name}: window {a}:{b} differs from original"


def transform(text: str, leak: str, rng: random.Random) -> str:
    """Apply one leak transformation (see ``leaktrace.simulate``)."""
    if leak == "verbatim":
        return text
    if leak == "sanitized":
        return simulate.sanitize(text)
    if leak == "retyped":
        return simulate.retype(text, rng)
    if leak == "edited":
        return simulate.edit(text, rng)
    raise ValueError(f"unknown leak {leak!r}")


@dataclass
class CellResult:
    """Tallies of one cell."""

    cell: Cell
    trials: int = 0
    ours: Counter = field(default_factory=Counter)      # correct / inconclusive / false / all / top1 / no_match / source
    peers: dict[str, Counter] = field(default_factory=dict)  # name -> correct / wrong / nothing
    trace_ms: list[float] = field(default_factory=list)
    sites_read: list[int] = field(default_factory=list)
    sites_read_by_channel: dict[str, list[int]] = field(default_factory=dict)
    more_words: list[int] = field(default_factory=list)  # more_words_needed of inconclusive trials
    false_examples: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def median_trace_ms(self) -> float:
        return statistics.median(self.trace_ms) if self.trace_ms else float("nan")

    def median_read(self, channel: str | None = None) -> float:
        vals = self.sites_read if channel is None else self.sites_read_by_channel.get(channel, [])
        if channel is not None and len(vals) < self.trials:
            vals = vals + [0] * (self.trials - len(vals))
        return statistics.median(vals) if vals else 0.0


def _leak_for(system, cell: Cell, tgt: Target, leakers: Sequence[str], seeds: dict[str, int],
              negative_text: Callable[[], str]) -> str:
    if cell.negative == "same-topic":
        full = negative_text()
    elif cell.negative == "original":
        full = tgt.base
    elif cell.k == 1:
        full = system.copy(leakers[0])
        cw = system.codeword(leakers[0]) if cell.words is not None else None
    else:
        cw = np.stack([system.codeword(r) for r in leakers])
        cw = simulate.collude(cw, system.qs, cell.mode, random.Random(seeds["mix"]),
                              paragraph_of_site=system.paragraph_of_site)
        full = system.render(cw)
    text = full
    if cell.words is not None and cell.negative != "same-topic":
        a, b = base_window(tgt.base, cell.words, random.Random(seeds["excerpt"]))
        text = full[a:b] if cell.negative == "original" else window(full, system.edits(cw), a, b)
    return transform(text, cell.leak, random.Random(seeds["transform"]))


def run_cell(cell: Cell, tgt: Target, *, peers: bool = True, seed: str = "leaktrace-bench-v1",
             same_topic: Callable[[int, int, int], str] | None = None,
             progress: Callable[[str], None] | None = None) -> CellResult:
    """Run all trials of one cell and tally the outcomes of every system."""
    res = CellResult(cell)
    ours = tgt.systems["leaktrace"]
    peer_systems = [s for n, s in tgt.systems.items() if n != "leaktrace"] if peers else []
    for s in peer_systems:
        res.peers[s.name] = Counter()
    t_start = time.perf_counter()
    for t in range(cell.trials):
        rng = random.Random(f"{seed}:{cell.key}:{t}")
        leakers = rng.sample(tgt.recipient_ids, cell.k) if not cell.negative else []
        seeds = {name: rng.getrandbits(64) for name in ("mix", "excerpt", "transform", "negative")}
        cache: dict[str, str] = {}

        def negative_text() -> str:
            if "neg" not in cache:
                n = cell.words if cell.words is not None else tgt.words
                cache["neg"] = same_topic(seeds["negative"] % 1_000_000_007, n, tgt.topic_seed)
            return cache["neg"]

        # --- leaktrace
        leak = _leak_for(ours, cell, tgt, leakers, seeds, negative_text)
        t0 = time.perf_counter()
        tr = tgt.ws.trace(leak)
        res.trace_ms.append(1000 * (time.perf_counter() - t0))
        res.trials += 1
        doc_ok = tr.document is not None and tr.document.get("id") == tgt.doc_id
        ident = [c.recipient for c in tr.copies if c.identified]
        leaker_set = set(leakers)
        innocent = [r for r in ident if r not in leaker_set or not doc_ok]
        hit = [r for r in ident if r in leaker_set and doc_ok]
        if innocent:
            res.ours["false"] += 1
            if len(res.false_examples) < 5:
                res.false_examples.append(f"trial {t}: leakers {sorted(leakers)}, identified {ident} "
                                          f"in {tr.document}")
        elif hit:
            res.ours["correct"] += 1
            if leaker_set and set(hit) == leaker_set:
                res.ours["all"] += 1
        else:
            res.ours["inconclusive"] += 1
            if tr.verdict == "no_match":
                res.ours["no_match"] += 1
            if tr.more_words_needed is not None:
                res.more_words.append(tr.more_words_needed)
        if doc_ok:
            res.ours["source"] += 1
        if tr.copies and doc_ok and tr.copies[0].recipient in leaker_set:
            res.ours["top1"] += 1
        res.sites_read.append(sum(tr.sites_read.values()))
        for ch, n in tr.sites_read.items():
            res.sites_read_by_channel.setdefault(ch, []).append(n)

        # --- peers, on the same recipient(s), excerpt draw and transformation seed
        for s in peer_systems:
            leak = _leak_for(s, cell, tgt, leakers, seeds, negative_text)
            who = s.identify(leak)
            if who is None:
                res.peers[s.name]["nothing"] += 1
            elif who in leaker_set:
                res.peers[s.name]["correct"] += 1
            else:
                res.peers[s.name]["wrong"] += 1
    res.seconds = time.perf_counter() - t_start
    if progress:
        progress(f"{cell.key}: {res.trials} trials in {res.seconds:.1f}s, ours {dict(res.ours)}, "
                 + ", ".join(f"{k} {dict(v)}" for k, v in res.peers.items()))
    return res
