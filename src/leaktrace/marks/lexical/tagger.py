"""Part-of-speech tags for the lexical guards: the Hannover Tagger (HanTa 1.2.1, LGPL-3.0, by
its author on PyPI) with the English model its wheel ships, a trigram tagger over the BNC's
CLAWS5 tag set (NN1 singular noun, NN2 plural noun, AJ0 adjective, VVB base verb, PNP personal
pronoun, PNQ wh-pronoun, CJT the conjunction "that", ...).

The model is a pickle: it is loaded only after its SHA-256 matches the one its wheel shipped
(a different file would give other sites, and a pickle from anywhere else is code from anywhere
else). A text is tagged sentence by sentence, once, on the first guard that asks.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

from ...errors import MarkingError

VERSION = "1.2.1"
MODEL = "morphmodel_en.pgz"
MODEL_SHA256 = "99ddc9b14b3fe604b245e2d7a3aef59ab1bdd06b1bae4f4ce74738902e2a0265"
_MAX_SENTENCE = 80          # tokens tagged at once: the Viterbi search stays small
_APOSTROPHES = ("'", "\u2019")


@lru_cache(maxsize=1)
def _tagger():
    spec = find_spec("HanTa")
    if spec is None or not spec.submodule_search_locations:
        raise MarkingError(f"the part-of-speech tagger HanTa {VERSION} is not installed; "
                           "reinstall leaktrace (pip install leaktrace)")
    path = Path(next(iter(spec.submodule_search_locations))) / MODEL
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as e:
        raise MarkingError(f"cannot read the tagger's model {path}: {e.strerror}") from None
    if digest != MODEL_SHA256:
        raise MarkingError(f"the tagger's model {path} is not the one HanTa {VERSION} ships "
                           f"(SHA-256 {digest[:16]}..., expected {MODEL_SHA256[:16]}...); "
                           f"install HanTa=={VERSION}")
    from HanTa import HanoverTagger

    return HanoverTagger.HanoverTagger(MODEL)


def _pieces(token: str) -> list[str]:
    """A token as the BNC splits it: "don't" -> do n't, "team's" -> team 's."""
    for a in _APOSTROPHES:
        k = token.find(a)
        if 0 < k < len(token) - 1:
            if token[k - 1] in "nN" and token[k + 1:].lower() == "t" and k > 1:
                return [token[:k - 1], "n't"]
            return [token[:k], "'" + token[k + 1:]]
    return [token]


def tag(raw: tuple[str, ...], sentence_starts: list[bool]) -> tuple[str, ...]:
    """A CLAWS5 tag for every token (a contraction gets its first part's: "don't" is VDB)."""
    tagger = _tagger()
    out: list[str] = [""] * len(raw)
    start = 0
    n = len(raw)
    while start < n:
        end = start + 1
        while end < n and not sentence_starts[end] and end - start < _MAX_SENTENCE:
            end += 1
        words: list[str] = []
        first: list[int] = []
        for i in range(start, end):
            first.append(len(words))
            words += _pieces(raw[i])
        tags = tagger.tag_sent(words, taglevel=0)
        for k, i in enumerate(range(start, end)):
            out[i] = tags[first[k]]
        start = end
    return tuple(out)
