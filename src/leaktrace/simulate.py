"""Leak simulations: what happens to a copy on its way out, for the demo, tests and benchmarks.

Each function is deterministic given its `random.Random`. They model what leakers and
their tools do: copy an excerpt, sanitize (strip format characters, NFKC, fold
confusable characters to Latin), retype (ASCII, straight quotes, typos), edit
(drop and insert words, swap sentences), and collude (mix several copies site by site).
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Sequence

import numpy as np
from unidecode import unidecode

from .text.tokens import HOMOGLYPHS, strip_invisible


def excerpt(text: str, n_words: int, rng: random.Random) -> str:
    """A contiguous run of about n_words words, starting at a random word of the body."""
    spans = [m.span() for m in re.finditer(r"\S+", text)]
    if len(spans) <= n_words:
        return text
    first = rng.randrange(0, len(spans) - n_words + 1)
    return text[spans[first][0]:spans[first + n_words - 1][1]]


# Characters Unicode's confusables data (UTS #39) maps to ASCII Latin or common
# punctuation, as a sanitizer folding "to Latin" applies them: quotes and apostrophes,
# en dash, hyphens, the multiplication sign. The em dash is not among them (UTS #39 maps
# it to a Katakana mark), nor are currency signs: a sanitizer leaves those alone.
_CONFUSABLE_PUNCTUATION = str.maketrans({
    "’": "'", "‘": "'", "‛": "'", "′": "'", "ʼ": "'",
    "“": '"', "”": '"', "„": '"', "″": '"',
    "–": "-", "‐": "-", "‑": "-", "‒": "-", "﹘": "-", "˗": "-", "−": "-",
    "×": "x",
})


def sanitize(text: str) -> str:
    """What leak-sanitizing tools do: drop format characters, NFKC, fold confusables to Latin."""
    text = unicodedata.normalize("NFKC", strip_invisible(text))
    return text.translate(_CONFUSABLE_PUNCTUATION).translate(HOMOGLYPHS)


_KEYBOARD = "qwertyuiopasdfghjklzxcvbnm"


def _typo(word: str, rng: random.Random) -> str:
    letters = [i for i, c in enumerate(word) if c.isalpha()]
    if len(letters) < 2:
        return word
    i = rng.choice(letters[:-1])
    op = rng.randrange(4)
    if op == 0:  # swap two adjacent letters
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if op == 1:  # drop a letter
        return word[:i] + word[i + 1:]
    if op == 2:  # double a letter
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice(_KEYBOARD) + word[i + 1:]


def retype(text: str, rng: random.Random, typo_rate: float = 0.01) -> str:
    """Sanitized, then ASCII only with straight quotes, whitespace as a typist leaves it, and typos."""
    text = unidecode(sanitize(text))
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    out = []
    for p in paragraphs:
        words = p.split(" ")
        words = [_typo(w, rng) if rng.random() < typo_rate else w for w in words]
        out.append(" ".join(words))
    return "\n\n".join(x for x in out if x)


_FILLERS = ("also", "then", "indeed", "really", "still", "now", "clearly", "just", "very", "however")


def edit(text: str, rng: random.Random, rate: float = 0.10, swaps: int = 1) -> str:
    """Retyped, then `rate` of words dropped or inserted, and two sentences swapped."""
    text = retype(text, rng)
    sentences = re.split(r"(?<=[.!?])\s+", " ".join(text.split()))
    for _ in range(swaps):
        if len(sentences) >= 2:
            i, j = rng.sample(range(len(sentences)), 2)
            sentences[i], sentences[j] = sentences[j], sentences[i]
    words = " ".join(sentences).split(" ")
    out = []
    for w in words:
        r = rng.random()
        if r < rate / 2:
            continue  # dropped
        out.append(w)
        if r > 1 - rate / 2:
            out.append(rng.choice(_FILLERS))
    return " ".join(out)


def collude(codewords: np.ndarray, qs: Sequence[int], mode: str, rng: random.Random,
            paragraph_of_site: Sequence[int] | None = None) -> np.ndarray:
    """The codeword colluders can build by mixing their copies site by site.

    majority: the most common variant among them (ties broken at random);
    random: one colluder's variant chosen at random at every site;
    interleave: whole paragraphs taken from each colluder in turn.
    """
    k, n = codewords.shape
    np_rng = np.random.default_rng(rng.randrange(2**63))
    if mode == "random":
        return codewords[np_rng.integers(0, k, size=n), np.arange(n)]
    if mode == "interleave":
        if paragraph_of_site is None:
            raise ValueError("interleave needs the paragraph of every site")
        owner = np.asarray(paragraph_of_site) % k
        return codewords[owner, np.arange(n)]
    if mode == "majority":
        out = np.empty(n, dtype=codewords.dtype)
        for i in range(n):
            col = codewords[:, i].tolist()
            counts: dict[int, int] = {}
            for v in col:
                counts[v] = counts.get(v, 0) + 1
            top = max(counts.values())
            out[i] = rng.choice(sorted(v for v, c in counts.items() if c == top))
        return out
    raise ValueError(f"unknown collusion mode {mode!r}")
