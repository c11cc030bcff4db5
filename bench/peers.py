"""The peer libraries, wrapped so the benchmark can run them on the same leaks as leaktrace.

Both peers hide bits in invisible characters; neither has a fingerprinting code, an
alignment step or a calibrated decision, so what they "report" is defined here, as
generously as their APIs allow:

``TextBlindWatermarkPeer`` (PyPI ``text-blind-watermark`` 0.4, class ``TextBlindWatermark``)
    The watermark of a copy is the recipient id (``b"r00042"``), turned into a run of
    zero-width characters (U+2060 for 0, U+FEFF for 1) by the library's own
    ``generate_watermark`` (its XOR cipher keyed by the password).  The library inserts
    one such run at one place (``add_wm_at_idx`` removes any earlier one), which an
    excerpt would usually miss; so we insert the same run at the start of every
    ``every``-th word (default 12), which guarantees that any excerpt of ``every`` or
    more words holds at least one whole run.  Tracing calls the library's ``extract``
    (it decodes the first run of watermark characters); if the bytes decode to a
    registered recipient id, the tool reports that recipient, otherwise nothing.

``CanaryTrapPeer`` (PyPI ``canarytrap`` 1.0, module ``canarytrap.text``)
    Recipient ``i`` (1-based, so no copy is all zeros) gets the ``L = ceil(log2(n + 1))``
    bits of ``i``, repeated over every space of the document, encoded with
    ``unicode_space_encode`` (a 1 puts U+200E before the space).  Tracing: if the leak
    holds no U+200E there is nothing to read.  Otherwise the bits are read with
    ``unicode_space_to_binary_str``; the position of the excerpt in the document (which
    the library does not know) is found by removing U+200E and searching the unmarked
    original, giving the offset of the first space; and the tool reports the recipient
    whose pattern, at that offset, agrees with the most bits - the recipient for which
    ``unicode_space_match`` is highest (computed for all recipients at once with numpy;
    ``check()`` verifies the equivalence).  A tie for the best match reports nothing.

Both expose the same small interface as leaktrace's code, so collusion can be simulated
the same way for all three: ``codeword(rid)`` (one symbol per "site"), ``qs`` (variants per
site, here 2), ``paragraph_of_site``, ``render(codeword)`` and ``edits(codeword)`` (the copy as
replacements in the original, so the benchmark can cut the same excerpt out of every
system's copy); ``copy(rid)`` is the
recipient's marked copy and ``identify(text)`` returns the recipient reported, or None.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

from leaktrace.marks.embed import apply_edits

__all__ = ["TextBlindWatermarkPeer", "CanaryTrapPeer", "PEERS", "peer_versions", "apply_edits"]

PEERS = ("text-blind-watermark", "canarytrap")


def peer_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in PEERS:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def _paragraph_index(text: str, positions: Sequence[int]) -> np.ndarray:
    """Paragraph number (count of blank-line breaks before) of each character position."""
    breaks = np.array([m.start() for m in re.finditer(r"\n\n", text)], dtype=np.int64)
    return np.searchsorted(breaks, np.asarray(positions, dtype=np.int64), side="left")


class TextBlindWatermarkPeer:
    """text-blind-watermark: the recipient id as a zero-width run at every ``every``-th word."""

    name = "text-blind-watermark"

    def __init__(self, base: str, recipient_ids: Sequence[str], password: bytes = b"leaktrace-bench",
                 every: int = 12):
        from text_blind_watermark import TextBlindWatermark

        self.tbw = TextBlindWatermark(pwd=password)
        self.base = base
        self.ids = set(recipient_ids)
        width = {len(r.encode("utf-8")) for r in recipient_ids}
        if len(width) != 1:
            raise ValueError("recipient ids must all have the same length in bytes")
        self.bits_per_run = 8 * width.pop()
        self.positions = [m.start() for i, m in enumerate(re.finditer(r"\S+", base)) if i % every == 0]
        self.qs = [2] * (len(self.positions) * self.bits_per_run)
        par = _paragraph_index(base, self.positions)
        self.paragraph_of_site = np.repeat(par, self.bits_per_run)

    def _run_bits(self, rid: str) -> np.ndarray:
        run = self.tbw.generate_watermark(rid.encode("utf-8"))
        return np.array([0 if c == self.tbw.chr0 else 1 for c in run], dtype=np.int8)

    def codeword(self, rid: str) -> np.ndarray:
        return np.tile(self._run_bits(rid), len(self.positions))

    def render(self, codeword: np.ndarray) -> str:
        chars = np.where(np.asarray(codeword) == 0, self.tbw.chr0, self.tbw.chr1)
        runs = chars.reshape(len(self.positions), self.bits_per_run)
        out, pos = [], 0
        for p, run in zip(self.positions, runs):
            out.append(self.base[pos:p])
            out.append("".join(run.tolist()))
            pos = p
        out.append(self.base[pos:])
        return "".join(out)

    def edits(self, codeword: np.ndarray) -> list[tuple[int, int, str]]:
        """The copy as insertions into the original: (start, end, text), sorted."""
        chars = np.where(np.asarray(codeword) == 0, self.tbw.chr0, self.tbw.chr1)
        runs = chars.reshape(len(self.positions), self.bits_per_run)
        return [(p, p, "".join(run.tolist())) for p, run in zip(self.positions, runs)]

    def copy(self, rid: str) -> str:
        run = self.tbw.generate_watermark(rid.encode("utf-8"))
        out, pos = [], 0
        for p in self.positions:
            out.append(self.base[pos:p])
            out.append(run)
            pos = p
        out.append(self.base[pos:])
        return "".join(out)

    def identify(self, text: str) -> str | None:
        try:
            raw = self.tbw.extract(text)
        except Exception:  # the library raises on odd bit counts and the like
            return None
        try:
            rid = bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            return None
        return rid if rid in self.ids else None

    def check(self, rid: str) -> None:
        """Sanity checks against the library's own single-insertion API."""
        single = self.tbw.add_wm_at_idx(self.base, rid.encode("utf-8"), self.positions[-1])
        assert self.identify(single) == rid, "extract(add_wm_at_idx(...)) does not give the id back"
        assert self.copy(rid) == self.render(self.codeword(rid)), "copy() and render(codeword()) differ"
        assert self.identify(self.copy(rid)) == rid
        assert apply_edits(self.base, self.edits(self.codeword(rid))) == self.copy(rid)


class CanaryTrapPeer:
    """canarytrap: bits of the recipient's 1-based index, repeated over every space."""

    name = "canarytrap"
    LRM = "\u200e"

    def __init__(self, base: str, recipient_ids: Sequence[str]):
        from canarytrap import text as ct

        self.ct = ct
        self.base = base
        self.ids = list(recipient_ids)
        self.index = {r: i + 1 for i, r in enumerate(self.ids)}
        self.L = max(1, math.ceil(math.log2(len(self.ids) + 1)))
        idx = np.arange(1, len(self.ids) + 1, dtype=np.int64)
        shifts = np.arange(self.L - 1, -1, -1, dtype=np.int64)
        self.patterns = ((idx[:, None] >> shifts[None, :]) & 1).astype(np.int8)  # n x L, MSB first
        self.space_pos = [i for i, c in enumerate(base) if c == " "]
        self.qs = [2] * len(self.space_pos)
        self.paragraph_of_site = _paragraph_index(base, self.space_pos)

    def codeword(self, rid: str) -> np.ndarray:
        pat = self.patterns[self.index[rid] - 1]
        return np.resize(pat, len(self.space_pos)).astype(np.int8)

    def render(self, codeword: np.ndarray) -> str:
        bits = "".join("1" if b else "0" for b in np.asarray(codeword).tolist())
        text, _ = self.ct.unicode_space_encode(self.base, bits)
        return text

    def copy(self, rid: str) -> str:
        return self.render(self.codeword(rid))

    def edits(self, codeword: np.ndarray) -> list[tuple[int, int, str]]:
        """The copy as insertions into the original: U+200E before every space coding a 1."""
        return [(p, p, self.LRM) for p, b in zip(self.space_pos, np.asarray(codeword).tolist()) if b]

    def _offset(self, text: str) -> int:
        """Number of spaces of the original before the excerpt (0 if it cannot be located)."""
        stripped = text.replace(self.LRM, "")
        pos = self.base.find(stripped)
        if pos < 0:
            # try the first line only (e.g. when later lines were altered)
            head = stripped.split("\n", 1)[0]
            pos = self.base.find(head) if len(head) >= 20 else -1
        return self.base.count(" ", 0, pos) if pos > 0 else 0

    def agreement(self, text: str) -> np.ndarray:
        """Bits of ``text`` agreeing with each recipient's pattern at the excerpt's offset."""
        bits = np.frombuffer(self.ct.unicode_space_to_binary_str(text).encode("ascii"), dtype=np.uint8) - 48
        residue = (self._offset(text) + np.arange(len(bits))) % self.L
        ones = np.bincount(residue, weights=bits, minlength=self.L)
        total = np.bincount(residue, minlength=self.L)
        zeros = total - ones
        return self.patterns @ ones + (1 - self.patterns) @ zeros

    def identify(self, text: str) -> str | None:
        if self.LRM not in text:
            return None
        agree = self.agreement(text)
        best = agree.max()
        winners = np.flatnonzero(agree == best)
        if len(winners) != 1:
            return None
        return self.ids[int(winners[0])]

    def check(self, rid: str, excerpt: str | None = None) -> None:
        """Sanity checks: the library decodes our copies, and the argmax equals unicode_space_match's."""
        cp = self.copy(rid)
        assert apply_edits(self.base, self.edits(self.codeword(rid))) == cp, "edits() disagrees with the library"
        assert self.ct.unicode_space_to_binary_str(cp) == "".join(map(str, self.codeword(rid).tolist()))
        assert self.identify(cp) == rid
        text = excerpt if excerpt is not None else cp
        off = self._offset(text)
        full = "".join(map(str, np.resize(self.patterns[self.index[rid] - 1], off + len(self.space_pos))
                           .tolist()))
        lib = self.ct.unicode_space_match(text, full[off:])
        mine = self.agreement(text)[self.index[rid] - 1]
        n_bits = len(self.ct.unicode_space_to_binary_str(text))
        assert abs(lib - mine / max(n_bits, 1)) < 1e-9, (lib, mine, n_bits)
