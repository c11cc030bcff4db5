"""Copy evidence as a case shows it: how well a leak's marks match one issued copy, with the
holder behind a pseudonym."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .pseudonyms import Subject


@dataclass(frozen=True)
class CopyEvidence:
    """Column 1: how well the leak's marks match one issued copy."""

    subject: Subject
    copy: str
    score: float
    false_accusation_bound: float
    agreed: int
    read: int
    identified: bool
    protected: str | None = None   # label, when the copy was issued to a protected channel

    def to_json(self) -> dict:
        d = asdict(self)
        d["subject"] = self.subject.to_json()
        d["label"] = self.subject.label
        return d
