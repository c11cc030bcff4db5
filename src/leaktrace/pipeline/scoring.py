"""Stage 4: every issued copy of a source scored against the reading (symmetric Tardos
scores; the false-accusation bound comes with the verdict)."""

from __future__ import annotations

import numpy as np

from ..marks.score import ScoreModel
from .values import Library, Reading, Scores


def score(lib: Library, reading: Reading, issued) -> Scores:
    """issued: the copies of the source (recipient id, name, copy id), in a stable order."""
    doc = int(reading.doc.id[1:])
    model = ScoreModel.build(reading.code.biases, reading.symbols)
    codewords = lib.codewords(doc, [r for r, _, _ in issued])
    scores = model.scores(codewords, reading.symbols)
    return Scores(issued, codewords, model, scores, np.argsort(-scores, kind="stable"))
