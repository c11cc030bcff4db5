"""Stage 4: every issued copy of a source scored against the reading (symmetric Tardos
scores; the false-accusation bound comes with the verdict)."""

from __future__ import annotations

import numpy as np

from ..marks.score import ScoreModel
from collections.abc import Sequence

from .values import Library, MarkedSource, Reading, Scores


def candidates(source: MarkedSource, issued: Sequence[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The copies that could have produced the leak: those that held every section of the
    source it reuses (source search's content exposure). A copy of other sections cannot have
    leaked this text, so it is neither scored nor counted among the n of the bound."""
    doc = source.match.document["id"]
    held = [e["recipient"] for e in source.match.exposure if e["document"] == doc]
    if not held or len(held) == len(issued):   # every copy held it (or only other versions are named)
        return list(issued)
    held_set = set(held)
    return [c for c in issued if c[0] in held_set]


def score(lib: Library, reading: Reading, issued) -> Scores:
    """issued: the copies of the source (recipient id, name, copy id), in a stable order."""
    doc = int(reading.doc.id[1:])
    model = ScoreModel.build(reading.code.biases, reading.symbols)
    codewords = lib.codewords(doc, [r for r, _, _ in issued])
    scores = model.scores(codewords, reading.symbols)
    return Scores(issued, codewords, model, scores, np.argsort(-scores, kind="stable"))
