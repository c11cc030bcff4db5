"""Evidence across a series of leaks: when several artifacts of a case derive from the same
document, the joint score of each copy over all of them, with one false-accusation bound, read
as "if these artifacts came from one copy". It is copy evidence only: never combined with
access events, communications or anything else about a person."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..marks.score import BAR, JointModel, false_accusation_bound
from .evidence import CopyEvidence
from .pseudonyms import Pseudonyms

TOP_COPIES = 10


@dataclass(frozen=True)
class JointEvidence:
    """The copies of one document scored over every artifact of a case that derives from it."""

    document: dict                     # id, title
    artifacts: tuple[str, ...]         # the artifacts whose marks were read (A1, A3, ...)
    marks_read: int                    # reads over all of them (a site read twice counts twice)
    sites_read: int                    # distinct sites read
    candidates: int                    # copies scored (every issued copy of the document)
    copies: tuple                      # CopyEvidence, best first (copy ids of revealed holders only)
    statement: str
    # the ids of the copies that clear the bar, for the audit log (which the ledger export names
    # people in anyway); never shown under pseudonyms
    identified_copies: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"document": self.document, "artifacts": list(self.artifacts), "marks_read": self.marks_read,
                "sites_read": self.sites_read, "candidates": self.candidates, "bar": BAR,
                "copies": [c.to_json() for c in self.copies], "statement": self.statement}


def score_jointly(ws, doc_id: str, marks: list) -> tuple:
    """Every issued copy of a document scored over several readings (each a trace's `marks`:
    (site, variant) pairs): (model, readings, issued, codewords, scores). A copy's bound is
    `false_accusation_bound(model.log_tail(score), len(issued))`."""
    _, _, sites, code = ws.code(doc_id)
    readings = []
    for pairs in marks:
        reading = np.full(len(sites), -1, dtype=np.int64)
        for i, v in pairs:
            if 0 <= i < len(sites) and 0 <= v < sites[i].q:
                reading[i] = v
        readings.append(reading)
    model = JointModel.build(code.biases, readings)
    issued = ws.issued_copies(doc_id)
    codewords = ws.codewords(doc_id, [r for r, _, _ in issued])
    return model, readings, issued, codewords, model.scores(codewords)


def joint(ws, view, ps: Pseudonyms, protected_label) -> list[JointEvidence]:
    """One JointEvidence per document that two or more of the case's artifacts derive from."""
    by_doc: dict[str, list] = {}
    for f in view.findings:
        if f.result.document is not None and f.result.marks:
            by_doc.setdefault(f.result.document["id"], []).append(f)
    out = []
    for doc_id, findings in sorted(by_doc.items(), key=lambda kv: int(kv[0][1:])):
        arts = tuple(dict.fromkeys(f.artifact.id for f in findings))
        if len(arts) < 2:
            continue
        doc = ws.code(doc_id)[0]
        model, readings, issued, codewords, scores = score_jointly(ws, doc_id, [f.result.marks for f in findings])
        stacked = np.vstack(readings)
        reads = int((stacked >= 0).sum())
        copies, identified = [], []
        for rank, j in enumerate(np.argsort(-scores, kind="stable").tolist()):
            s = float(scores[j])
            bound = false_accusation_bound(model.log_tail(s), len(issued))
            if rank >= TOP_COPIES and (s <= 0 or bound > BAR):
                break
            agreed = int(((stacked == codewords[j][None, :].astype(np.int64)) & (stacked >= 0)).sum())
            rid, _, cid = issued[j]
            holder = ps.recipient(rid)
            copies.append(CopyEvidence(holder, ps.copy(holder, cid), round(s, 4), bound, agreed, reads, bound <= BAR,
                                       protected_label(rid)))
            if bound <= BAR:
                identified.append(cid)
        named = [c for c in copies if c.identified]
        who = ", ".join(f"{c.subject.label} ({f'copy {c.copy}, ' if c.copy else ''}bound "
                        f"{c.false_accusation_bound:.1e})" for c in named)
        head = f"If these {len(arts)} artifacts ({', '.join(arts)}) came from one copy of {doc.id} “{doc.title}”"
        statement = (f"{head}, the marks read in all of them match the copy of {who}. Each artifact alone may "
                     "be inconclusive; this is the same copy evidence summed over them, not a combination "
                     "with access events or anything else, and a copy is not a person."
                     if named else
                     f"{head}, no copy matches the marks read in all of them well enough at a "
                     f"false-accusation bound of {BAR:.0e}: they may come from different copies.")
        out.append(JointEvidence({"id": doc.id, "title": doc.title}, arts, reads, len(model), len(issued),
                                 tuple(copies), statement, tuple(identified)))
    return out
