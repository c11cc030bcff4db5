"""Lexical channel: ASCII, meaning-preserving word alternations that survive retyping.

(Being written: the rule catalogue.)
"""

from __future__ import annotations

from collections.abc import Iterator

from ..text.protect import Protected
from ..text.tokens import Tokens
from .sites import Site


def find(tokens: Tokens, protected: Protected) -> Iterator[Site]:
    return iter(())
