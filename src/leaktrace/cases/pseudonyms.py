"""Stable, keyed pseudonyms for the people and accounts in an investigation.

A pseudonym is HMAC-SHA256 of the workspace marking key over the subject, so the same person
has the same pseudonym in every case of a workspace, nobody without the key can tell whose it
is, and another workspace (another key) gives unrelated pseudonyms.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from ..errors import ConflictError

# Crockford's base 32: no I, L, O or U, so a pseudonym read aloud or retyped stays unambiguous.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# 16 characters = 80 bits: among a million subjects the chance that any two share one is about
# 4 in 10^13, and finding two ids that do needs the key and about 2^40 tries (6 characters, as
# before, fell to about 13,000 tries). `Pseudonyms` refuses a clash all the same.
_LENGTH = 16
PREFIX = {"recipient": "Recipient", "account": "Account"}


def pseudonym(key: bytes, kind: str, subject: str) -> str:
    """`Recipient-7QX2KM` for a recipient id, `Account-…` for an account that maps to nobody."""
    norm = subject.strip() if kind == "recipient" else subject.strip().casefold()
    mac = hmac.new(key, f"leaktrace-pseudonym|{kind}|{norm}".encode(), hashlib.sha256).digest()
    n = int.from_bytes(mac[:16], "big") >> (128 - 5 * _LENGTH)
    code = "".join(_ALPHABET[(n >> (5 * i)) & 31] for i in reversed(range(_LENGTH)))
    return f"{PREFIX[kind]}-{code}"


@dataclass(frozen=True)
class Subject:
    """Someone in a case, as a view shows them: the pseudonym, and the real identity once revealed."""

    kind: str               # recipient | account
    pseudonym: str
    revealed: bool
    id: str | None = None   # recipient id or account; None until revealed
    name: str | None = None

    @property
    def label(self) -> str:
        if not self.revealed:
            return self.pseudonym
        who = self.name or self.id or ""
        return f"{who} ({self.pseudonym})" if who else self.pseudonym

    def to_json(self) -> dict:
        return {"kind": self.kind, "pseudonym": self.pseudonym, "revealed": self.revealed,
                "id": self.id, "name": self.name}


def _norm(kind: str, subject: str) -> str:
    return subject.strip() if kind == "recipient" else subject.strip().casefold()


class PseudonymClash(ConflictError):
    """Two subjects of one case have the same pseudonym: they would show as one person."""


class Pseudonyms:
    """The pseudonyms of one case: subjects are shown by pseudonym unless revealed in this case.

    revealed: the (kind, subject) pairs revealed in this case (by subject, not by pseudonym, so
    that reveals recorded under the shorter pseudonyms of older versions still apply)."""

    def __init__(self, key: bytes, revealed: set[tuple[str, str]], names: dict[str, str], case: str = "this case"):
        self.key = key
        self.revealed = {(kind, _norm(kind, who)) for kind, who in revealed}
        self.names = names  # recipient id -> name
        self.case = case
        self.known: dict[str, tuple[str, str]] = {}  # pseudonym -> (kind, subject)

    def subject(self, kind: str, subject: str) -> Subject:
        p = pseudonym(self.key, kind, subject)
        seen = self.known.setdefault(p, (kind, subject))
        if seen != (kind, subject) and (seen[0], _norm(*seen)) != (kind, _norm(kind, subject)):
            # names neither subject: the message may be shown to anyone who may see the case
            raise PseudonymClash(f"two people or accounts in {self.case} share the pseudonym {p}, so they "
                                 "cannot be told apart; the case is not shown under pseudonyms (this should "
                                 "practically never happen: report it)")
        if (kind, _norm(kind, subject)) not in self.revealed:
            return Subject(kind, p, False)
        return Subject(kind, p, True, subject, self.names.get(subject) if kind == "recipient" else None)

    def copy(self, who: Subject, copy_id: str | None) -> str | None:
        """A copy's id as a view under pseudonyms may show it: only for a revealed subject (the
        manifest and the ledger name each copy's holder, so a copy id would unmask anyone)."""
        return copy_id if who.revealed else None

    def recipient(self, rid: str) -> Subject:
        return self.subject("recipient", rid)

    def account(self, actor: str) -> Subject:
        return self.subject("account", actor)
