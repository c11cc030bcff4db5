"""Keyed copy stamps: an exact match when a marked file leaks intact.

A stamp names the copy and carries a MAC under the workspace key, `lt1.<copy id>.<mac>`:
anyone can read which copy a file claims to be, nobody without the key can make a stamp
for another copy, and a stamp copied into another file still only names its own copy
(so a stamp is evidence about a file, and the text marks remain the evidence about content).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

_STAMP_RE = re.compile(r"^lt1\.(C[A-Z2-7]{8})\.([0-9a-f]{20})$")


def make(key: bytes, doc_uid: str, recipient: str, copy_id: str) -> str:
    return f"lt1.{copy_id}.{_mac(key, doc_uid, recipient, copy_id)}"


def _mac(key: bytes, doc_uid: str, recipient: str, copy_id: str) -> str:
    msg = f"stamp|{doc_uid}|{recipient}|{copy_id}".encode("utf-8")
    return hmac.new(key, msg, hashlib.sha256).hexdigest()[:20]


def parse(stamp: str) -> tuple[str, str] | None:
    """(copy id, mac) of a well-formed stamp, else None."""
    m = _STAMP_RE.match(stamp.strip())
    return (m.group(1), m.group(2)) if m else None


def valid(key: bytes, doc_uid: str, recipient: str, copy_id: str, mac: str) -> bool:
    return hmac.compare_digest(_mac(key, doc_uid, recipient, copy_id), mac)


@dataclass(frozen=True)
class StampFinding:
    """What one stamp found in a file says, after checking it against the workspace."""

    stamp: str
    status: str               # verified | forged | unknown-copy | malformed
    document: str | None = None
    recipient: str | None = None
    copy: str | None = None

    def to_json(self) -> dict:
        return dict(self.__dict__)
