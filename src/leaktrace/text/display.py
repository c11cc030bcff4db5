"""Honest display of text: what cannot be seen (invisible, control, bidi characters) is spelled out."""

from __future__ import annotations

import unicodedata


def visible(s: str) -> str:
    """Show invisible, control and bidi characters as <U+XXXX> so nothing hides or reorders text."""
    out = []
    for ch in str(s):
        cat = unicodedata.category(ch)
        if cat in ("Cf", "Cc", "Co", "Cs", "Zl", "Zp") or ch in "\u00a0\u2010":
            out.append(f"<U+{ord(ch):04X}>")
        else:
            out.append(ch)
    return "".join(out)
