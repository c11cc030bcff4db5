"""Stable, keyed pseudonyms for the people and accounts in an investigation.

A pseudonym is HMAC-SHA256 of the workspace marking key over the subject, so the same person
has the same pseudonym in every case of a workspace, nobody without the key can tell whose it
is, and another workspace (another key) gives unrelated pseudonyms.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

# Crockford's base 32: no I, L, O or U, so a pseudonym read aloud or retyped stays unambiguous.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# 6 characters = 30 bits: among 10,000 subjects the chance of any two sharing one is about 5%
# over all pairs of a whole workspace, and a case names far fewer; `Pseudonyms` refuses a clash.
_LENGTH = 6
PREFIX = {"recipient": "Recipient", "account": "Account"}


def pseudonym(key: bytes, kind: str, subject: str) -> str:
    """`Recipient-7QX2KM` for a recipient id, `Account-…` for an account that maps to nobody."""
    norm = subject.strip() if kind == "recipient" else subject.strip().casefold()
    mac = hmac.new(key, f"leaktrace-pseudonym|{kind}|{norm}".encode(), hashlib.sha256).digest()
    n = int.from_bytes(mac[:8], "big") >> (64 - 5 * _LENGTH)
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


class Pseudonyms:
    """The pseudonyms of one case: subjects are shown by pseudonym unless revealed in this case."""

    def __init__(self, key: bytes, revealed: set[str], names: dict[str, str]):
        self.key = key
        self.revealed = revealed
        self.names = names  # recipient id -> name
        self.known: dict[str, tuple[str, str]] = {}  # pseudonym -> (kind, subject)

    def subject(self, kind: str, subject: str) -> Subject:
        p = pseudonym(self.key, kind, subject)
        self.known.setdefault(p, (kind, subject))
        if p not in self.revealed:
            return Subject(kind, p, False)
        return Subject(kind, p, True, subject, self.names.get(subject) if kind == "recipient" else None)

    def recipient(self, rid: str) -> Subject:
        return self.subject("recipient", rid)

    def account(self, actor: str) -> Subject:
        return self.subject("account", actor)
